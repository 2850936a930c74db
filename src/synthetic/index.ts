/**
 * The synthetic market (docs/architecture.md §3): a seeded universe of listings, daily plans and
 * intraday paths on the simulator's calendar, with seeded corporate actions. Every number is a
 * hash of the seed (hash-random.ts), so any price at any instant comes out the same; no Node.
 */
export { createSyntheticMarket } from './synthetic-market.js';
export type { MinuteTick, SimQuote, SyntheticMarket, TradingState } from './synthetic-market.js';
export { createSimCalendar } from './sim-calendar.js';
export type { SimCalendar, SimSessionBounds } from './sim-calendar.js';
export type { SimSymbol } from './universe.js';
export { listingStatus, viActive } from './listings.js';
export type { ListingStatus, SimDesignation, SimProduct } from './listings.js';
export type { DayPlan } from './daily-plan.js';
export { SEEDED_SPLITS } from './corporate-actions.js';
export type { SimSplit, SplitOption } from './corporate-actions.js';
export { STREAM, foldSeed, hash32, normal, stringKey, uniform } from './hash-random.js';
