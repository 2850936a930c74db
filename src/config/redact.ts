import { SECRET_ENV_VARS, type Env } from './secrets.js';
import type { Config } from './schema.js';

export type SecretStatus = '[set]' | '[missing]';

export interface RedactedConfig {
  /** the config with passwords in URLs (redis://:pw@host) masked */
  config: Config;
  /** which secret variables are present; never their values */
  secrets: Record<string, SecretStatus>;
}

function maskUrl(text: string): string {
  return text.replace(/^([a-z][a-z0-9+.-]*:\/\/)([^@/]*)@/i, (_, scheme: string, userinfo: string) => {
    const user = userinfo.split(':')[0] ?? '';
    return `${scheme}${user === '' ? '' : `${user}:`}[REDACTED]@`;
  });
}

function mask(value: unknown): unknown {
  if (typeof value === 'string') return maskUrl(value);
  if (Array.isArray(value)) return value.map(mask);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mask(v)]));
  }
  return value;
}

/** A view of the config safe to print: secrets only as [set]/[missing]. */
export function redactConfig(config: Config, env: Env): RedactedConfig {
  const secrets: Record<string, SecretStatus> = {};
  for (const name of SECRET_ENV_VARS) {
    const value = env[name]?.trim();
    secrets[name] = value === undefined || value === '' ? '[missing]' : '[set]';
  }
  return { config: mask(config) as Config, secrets };
}
