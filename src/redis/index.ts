export { createRedisRateBudget } from './rate-budget.js';
export type { RedisRateBudget, RedisRateBudgetOptions, BudgetGrant } from './rate-budget.js';
export { createRedisLock } from './lock.js';
export { acquireInstanceLock } from './instance-lock.js';
export type { InstanceLock } from './instance-lock.js';
