import { describe, expect, it } from 'vitest';
import { epochMs, isAppError, krw, ppm, shares, stockCode, tradingDate } from '../../../src/domain/index.js';
import { DEFAULT_TAX_TABLE } from '../../../src/market/index.js';
import type { FeeRates } from '../../../src/market/index.js';
import { applyFill, buyReservation, cashSettledBy, createLedger, ledgerAccount, maxBuyAmount, maxBuyQty } from '../../../src/exchange/index.js';
import type { LedgerFill, LedgerState } from '../../../src/exchange/index.js';

const RATES: FeeRates = { commission: ppm(141), taxTable: DEFAULT_TAX_TABLE };
const D0 = tradingDate('20260312');
const D1 = tradingDate('20260313');
const D2 = tradingDate('20260316');

function fill(p: Partial<LedgerFill>): LedgerFill {
  return {
    orderId: 'o1', account: 'A', symbol: stockCode('005930'), exchange: 'KOSPI', side: 'buy', qty: shares(10), price: krw(72_000),
    at: epochMs(1_773_277_200_000), date: D0, settleDate: D2, ...p,
  };
}

describe('account ledger', () => {
  it('charges commission on buys and commission plus tax on sells, settling at D+2', () => {
    let s: LedgerState = createLedger([{ account: 'A', initialCash: krw(10_000_000) }]);
    const buy = applyFill(s, fill({}), RATES);
    s = buy.state;
    // 720,000 × 0.0141 % = 101.52 → 101 (floored)
    expect(buy.trade).toMatchObject({ amount: 720_000, commission: 101, tax: 0 });
    const sell = applyFill(s, fill({ orderId: 'o2', side: 'sell', qty: shares(4), price: krw(75_000) }), RATES);
    s = sell.state;
    // 300,000: commission 42.3 → 42, tax 0.20 % (2026 KOSPI) = 600
    expect(sell.trade).toMatchObject({ amount: 300_000, commission: 42, tax: 600 });

    const acc = ledgerAccount(s, 'A');
    expect(cashSettledBy(acc, D0)).toBe(10_000_000);
    expect(cashSettledBy(acc, D1)).toBe(10_000_000);
    expect(cashSettledBy(acc, D2)).toBe(10_000_000 - 720_101 + 299_358);
    expect(cashSettledBy(acc, null)).toBe(9_579_257);

    const pos = acc.positions.get('005930')!;
    expect(pos.qty).toBe(6);
    // the average price of what is left stays 72,000
    expect(pos.cost).toBe(432_000);
  });

  it('refuses to sell more than is held', () => {
    const s = createLedger([{ account: 'A', initialCash: krw(1_000_000) }]);
    try {
      applyFill(s, fill({ side: 'sell' }), RATES);
      expect.unreachable();
    } catch (err) {
      expect(isAppError(err, 'SIM_INVARIANT')).toBe(true);
    }
  });

  it('empties the cost with the last share, and taxes KOSDAQ sells at the KOSDAQ rate', () => {
    let s = createLedger([{ account: 'A', initialCash: krw(1_000_000) }]);
    s = applyFill(s, fill({ qty: shares(3), price: krw(10_010), exchange: 'KOSDAQ' }), RATES).state;
    const out = applyFill(s, fill({ side: 'sell', qty: shares(3), price: krw(10_000), exchange: 'KOSDAQ' }), RATES);
    expect(out.trade.tax).toBe(60);
    expect(ledgerAccount(out.state, 'A').positions.get('005930')).toEqual({ qty: 0, cost: 0 });
  });

  it('sizes buys so the reservation, commission included, fits the cash', () => {
    const cash = krw(1_000_000);
    const unit = krw(93_300);
    const q = maxBuyQty(cash, unit, RATES);
    expect(q).toBe(10);
    expect(buyReservation(unit, q, RATES)).toBeLessThanOrEqual(cash);
    expect(buyReservation(unit, shares(q + 1), RATES)).toBeGreaterThan(cash);
    // exactly affordable: 10 × 100,000 + 141 commission
    expect(maxBuyQty(krw(1_000_141), krw(100_000), RATES)).toBe(10);
    expect(maxBuyQty(krw(1_000_140), krw(100_000), RATES)).toBe(9);
    const a = maxBuyAmount(krw(4_980_872), RATES);
    expect(a + Math.floor((a * 141) / 1_000_000)).toBeLessThanOrEqual(4_980_872);
    expect(a + 1 + Math.floor(((a + 1) * 141) / 1_000_000)).toBeGreaterThan(4_980_872);
  });
});
