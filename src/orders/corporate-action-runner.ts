import { kstDateOf, RISK_KEYS } from '../domain/index.js';
import type {
  AccountSnapshot, BarInvalidation, Clock, CorporateAction, CorporateActionRepo, FillRepo, KeyValueRepo, Krw, Logger, MarketData,
  PositionRepo, Shares, StockCode,
} from '../domain/index.js';
import { describeError } from '../domain/index.js';
import { cleanRatio, detectSplit } from './corporate-actions.js';

/**
 * The effectful half of split detection (the policy is corporate-actions.ts), run by reconcile
 * after the broker's balance is read and before holdings are compared:
 *
 * 1. Only symbols the daemon holds whose broker quantity differs by a clean ratio, with no order
 *    of any origin working in the symbol (a working order may still move the quantity).
 * 2. The price before is the last one the daemon saw for that holding while the broker still
 *    showed the daemon's own quantity (the previous reconcile's account snapshot), else the
 *    position's average price. The price after is today's base price from inquire-price
 *    (docs/kis-wire.md §6.1 `stck_sdpr`: on the ex-date KRX sets it to the adjusted previous close).
 * 3. A proven split is recorded once (UNIQUE in the store) in the same transaction that re-checks
 *    the position did not change meanwhile; the position repository then applies it, and the
 *    symbol's cached daily bars are dropped so the adjusted history is fetched again.
 *
 * Without a market-data port or an action repository nothing is detected (today's policy).
 */
export interface CorporateActionDeps {
  positions: PositionRepo;
  fills: FillRepo;
  kv: KeyValueRepo;
  clock: Clock;
  log: Logger;
  transaction: <T>(fn: () => T) => T;
  market?: Pick<MarketData, 'quote'> | undefined;
  corporateActions?: CorporateActionRepo | undefined;
  bars?: BarInvalidation | undefined;
}

function lastFillId(fills: FillRepo, symbol: StockCode): number {
  let id = 0;
  for (const f of fills.all()) if (f.symbol === symbol && f.id > id) id = f.id;
  return id;
}

export async function recordCorporateActions(
  deps: CorporateActionDeps, account: AccountSnapshot, openOrderSymbols: ReadonlySet<StockCode>,
): Promise<CorporateAction[]> {
  const { market, corporateActions: repo } = deps;
  if (!market || !repo) return [];
  const brokerQty = new Map<StockCode, number>();
  for (const h of account.holdings) brokerQty.set(h.symbol, (brokerQty.get(h.symbol) ?? 0) + h.qty);
  const previous = deps.kv.get<AccountSnapshot>(RISK_KEYS.account);
  const recorded: CorporateAction[] = [];

  for (const p of deps.positions.list()) {
    const held = brokerQty.get(p.symbol) ?? 0;
    if (openOrderSymbols.has(p.symbol) || !cleanRatio(p.qty, held)) continue;
    const seen = previous?.holdings.find((h) => h.symbol === p.symbol && h.qty === p.qty && h.price > 0);
    const priceBefore: Krw = seen?.price ?? p.avgPrice;
    let priceAfter: Krw | null = null;
    try {
      const q = await market.quote(p.symbol, { lane: 'reconcile' });
      priceAfter = q.basePrice > 0 ? q.basePrice : q.price > 0 ? q.price : null;
    } catch (err) {
      deps.log.warn({ symbol: p.symbol, err: describeError(err) }, 'no quote to check a possible split: left to the holdings check');
    }
    const verdict = detectSplit({ symbol: p.symbol, daemonQty: p.qty, brokerQty: held as Shares, priceBefore, priceAfter });
    if (verdict.kind !== 'split') {
      deps.log.warn({ symbol: p.symbol, daemonQty: p.qty, brokerQty: held, priceBefore, priceAfter, reason: verdict.reason },
        'holding changed by a clean ratio, but the price does not prove a split');
      continue;
    }
    const now = deps.clock.now();
    const out = deps.transaction(() => {
      // a fill recorded while the quote was read would make the ratio stale: check again next time
      if (deps.positions.get(p.symbol)?.qty !== p.qty) return null;
      return repo.record({
        symbol: p.symbol, kind: verdict.ratio.num > verdict.ratio.den ? 'split' : 'reverse-split', num: verdict.ratio.num,
        den: verdict.ratio.den, qtyBefore: verdict.qtyBefore, qtyAfter: verdict.qtyAfter, priceBefore: verdict.priceBefore,
        priceAfter: verdict.priceAfter, afterFillId: lastFillId(deps.fills, p.symbol), tradingDate: kstDateOf(now), at: now,
      });
    });
    if (!out?.inserted) continue;
    deps.bars?.invalidate(p.symbol);
    recorded.push(out.action);
    deps.log.warn({
      symbol: p.symbol, ratio: `${verdict.ratio.num}/${verdict.ratio.den}`, qtyBefore: verdict.qtyBefore, qtyAfter: verdict.qtyAfter,
      priceBefore: verdict.priceBefore, priceAfter: verdict.priceAfter,
    }, 'corporate action recorded: position quantity and average price adjusted, cost unchanged');
  }
  return recorded;
}
