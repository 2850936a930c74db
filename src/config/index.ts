export { loadConfig } from './load.js';
export type { LoadOptions, LoadedConfig } from './load.js';
export { changedKeys, needsRestart, reloadConfig, RESTART_PREFIXES, HOT_EXCEPTIONS, SECRETS_KEY } from './reload.js';
export type { ReloadResult } from './reload.js';
export { configSchema, defaultConfig } from './schema.js';
export type {
  Config, ConfigMode, KisConfig, RedisConfig, ScheduleConfig, MarketConfig, SessionsConfig, ScanConfig,
  StrategiesConfig, RiskConfig, OrdersConfig, StoreConfig, LogConfig, SimConfig, DaemonConfig, AlertsConfig, MetricsConfig,
} from './schema.js';
export { configHash, canonicalJson } from './hash.js';
export { redactConfig } from './redact.js';
export type { RedactedConfig, SecretStatus } from './redact.js';
export { alertSecrets, ALERT_ENV_VARS, secretValues, SECRET_ENV_VARS, LIVE_CONFIRM_VAR, LIVE_CONFIRM_VALUE } from './secrets.js';
export type { AlertSecrets, Secrets, Env } from './secrets.js';
export { ENV_PREFIX } from './env-overrides.js';
export { readConfigFile } from './files.js';
export { formatIssues } from './problems.js';
export { jobSettings, strategySlices } from './settings.js';

