export { INSTALL_DIR, envFileVars, resolveHome } from './home.js';
export type { Home } from './home.js';
export { pidAlive } from './process.js';
export { anchoredClock, parseClockAnchor, planClock, simResumeInstant, simStartInstant } from './clock.js';
export type { ClockPlan } from './clock.js';
export { createHeartbeat } from './heartbeat.js';
export type { HeartbeatWriter } from './heartbeat.js';
export { feeRatesOf, loadCalendar, requireCalendarCovers, sessionTimesOf, withCalendarFile } from './market.js';
export {
  SIM_CLOCK_KEY, lastSimTime, openSimJournal, readLiveSimEndpoint, removeSimEndpoint, writeSimEndpoint,
} from './sim-files.js';
export type { SimEndpoint } from './sim-files.js';
export { freshTradeLogGuard } from './trade-log.js';
export { freePort, pingRedis, probeRedis, redisBinaryAvailable, shownRedisUrl, startEmbeddedRedis } from './embedded-redis.js';
export type { EmbeddedRedis } from './embedded-redis.js';
export { createJobs } from './jobs.js';
export type { JobContext, Jobs } from './jobs.js';
export { chooseVenue, venueClientOptions } from './venue.js';
export type { Venue } from './venue.js';
export { createLogNotifier } from './notifier.js';
export { positionsWithoutStrategy, resolveStrategies } from './strategies.js';
export { CONFIG_IN_FORCE_KEY, CONFIG_LAST_RELOAD_KEY, createLiveConfig } from './live-config.js';
export type { ConfigInForce, InForce, LiveConfig, ReloadRecord, ReloadStatus, WatchTarget } from './live-config.js';
export { connectRedis, watchRedis } from './redis-connection.js';
export { memoryTokenStore, mirrorTokensToRedis } from './token-mirror.js';
export type { MirroredTokenStore } from './token-mirror.js';
export { createWorkersProcess, workersRequirements } from './workers-process.js';
export type { WorkersProcess, WorkersProcessOptions } from './workers-process.js';
