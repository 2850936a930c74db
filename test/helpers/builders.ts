import { epochMs, krw, shares, stockCode, tradingDate, kstInstant } from '../../src/domain/index.js';
import type { OrderRecord, QuoteStatus, VenueOrder } from '../../src/domain/index.js';
import { configSchema, strategySlices } from '../../src/config/index.js';
import { BUILT_IN_STRATEGIES, bindStrategy } from '../../src/signals/index.js';
import type { StrategyInstance } from '../../src/signals/index.js';

export const DAY = tradingDate('20260312');
export const at = (hhmmss: string) => kstInstant(DAY, hhmmss);

let nextId = 1;
export function localOrder(p: Partial<OrderRecord> = {}): OrderRecord {
  const id = p.id ?? nextId++;
  return {
    id,
    intentKey: `i.test.${id}`,
    symbol: stockCode('005930'),
    side: 'buy',
    type: 'limit',
    qty: shares(10),
    price: krw(72000),
    tradingDate: DAY,
    decisionId: null,
    configHash: 'h',
    reason: 'test',
    origin: 'daemon',
    status: 'accepted',
    venueOrderId: null,
    branch: null,
    filledQty: shares(0),
    rejectCode: null,
    rejectMessage: null,
    createdAt: at('100000'),
    updatedAt: at('100000'),
    submittedAt: at('100000'),
    ...p,
  };
}

export function venueOrder(p: Partial<VenueOrder> = {}): VenueOrder {
  const qty = p.qty ?? shares(10);
  const filled = p.filledQty ?? shares(0);
  return {
    date: DAY,
    venueOrderId: '0000000001',
    originalOrderId: null,
    branch: '06010',
    symbol: stockCode('005930'),
    name: '삼성전자',
    side: 'buy',
    type: 'limit',
    isAmendment: false,
    qty,
    price: krw(72000),
    filledQty: filled,
    filledValue: krw(filled * 72000),
    avgFillPrice: krw(filled > 0 ? 72000 : 0),
    remainingQty: shares(qty - filled),
    cancelledQty: shares(0),
    rejectedQty: shares(0),
    orderedAt: epochMs(at('100001')),
    ...p,
  };
}

/** The status of a stock without any designation, as in fixture domestic-inquire-price.json (docs/kis-wire.md §6.1). */
export function quoteStatus(p: Partial<QuoteStatus> = {}): QuoteStatus {
  return {
    code: '55', administrative: false, warning: null, marketWarningCode: null, investmentAttention: false,
    shortTermOverheated: false, liquidationTrading: false, vi: false, ...p,
  };
}

/**
 * A built-in strategy bound as the daemon binds it (config → slice → its own params schema), with
 * `params` and `exits` written as in the config file (percents): strategies.<id> = { use, params, exits, ... }.
 */
export function strategyInstance(
  opts: { id?: string; use?: string; params?: Record<string, unknown>; exits?: Record<string, unknown>; entry?: Record<string, unknown> } = {},
): StrategyInstance {
  const id = opts.id ?? 'momentum-volume';
  const config = configSchema.parse({
    strategies: { [id]: { use: opts.use ?? 'momentum-volume', params: opts.params ?? {}, exits: opts.exits ?? {}, ...opts.entry } },
  });
  const slice = strategySlices(config)[0]!;
  const strategy = BUILT_IN_STRATEGIES.get(slice.use)!;
  return bindStrategy(slice, strategy, strategy.params.parse(slice.params));
}

/** momentum-volume that enters on anything quoted below its upper limit (for order-path tests). */
export const permissiveMomentum = (exits: Record<string, unknown> = {}): StrategyInstance => strategyInstance({
  params: { lookbackDays: 5, minChangePct: -30, maxChangePct: 30, minVolumeRatio: 0, requireAboveMa: false }, exits,
});
