export { reconcileOrders, statusFromVenue } from './reconcile.js';
export type { ReconcileInput, ReconcileEvent, DerivedFill } from './reconcile.js';
export { reconcileHoldings, sellableQty } from './holdings.js';
export type { HoldingsDiff } from './holdings.js';
export { cleanRatio, detectSplit, MAX_RATIO_TERM, PRICE_TOLERANCE } from './corporate-actions.js';
export type { SplitRatio, SplitEvidence, SplitVerdict } from './corporate-actions.js';
export { runSubmitOrder } from './submit.js';
export type { SubmitDeps, SubmitOutcome, SubmitResult } from './submit.js';
export { runReconcile } from './reconcile-runner.js';
export type { ReconcileDeps, ReconcileSummary } from './reconcile-runner.js';
export {
  runCancelStale, cancelRequestedKey, classifyCancelFailure, afterCancelFailure, cancelBackoffMs, CANCEL_RETRY_BASE_MS, CANCEL_RETRY_MAX_MS,
} from './cancel.js';
export type { CancelDeps, CancelDone, CancelFailure, CancelState } from './cancel.js';
export { cancelOwnEntries, EXIT_WITHDRAWN_CODE } from './exit-prep.js';
export type { ExitPrepDeps, ExitPrepResult } from './exit-prep.js';
