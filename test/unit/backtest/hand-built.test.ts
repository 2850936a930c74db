import { describe, expect, it } from 'vitest';
import { runBacktest } from '../../../src/backtest/index.js';
import type { BacktestDecision } from '../../../src/backtest/index.js';
import { krw, shares, stockCode, tradingDate } from '../../../src/domain/index.js';
import type { DailyBar } from '../../../src/domain/index.js';
import { DEFAULT_FEE_RATES } from '../../../src/market/index.js';
import { backtestSettings } from '../../helpers/backtest-settings.js';

/**
 * One symbol that breaks out of its 3-day high once and is stopped out: every figure worked out
 * by hand in the comments (fees: commission 141 ppm floored, sell tax 0.15 % for a 2025 settlement).
 */
const SYM = stockCode('005930');
const bar = (date: string, o: number, h: number, l: number, c: number, v: number): DailyBar => ({
  symbol: SYM, date: tradingDate(date), open: krw(o), high: krw(h), low: krw(l), close: krw(c), volume: shares(v),
  value: krw(c * v),
});
const BARS = [
  bar('20250102', 10_000, 10_100, 9_900, 10_000, 1_000),
  bar('20250103', 10_000, 10_100, 9_900, 10_000, 1_000),
  bar('20250106', 10_000, 10_100, 9_900, 10_000, 1_000),
  // close 10,250 > high(3) 10,100: the entry fires at this close
  bar('20250107', 10_050, 10_300, 10_000, 10_250, 2_000),
  // limit 10,250 + 1 tick = 10,260; the open 10,200 + 1 tick slippage = 10,210 fills
  bar('20250108', 10_200, 10_300, 10_150, 10_250, 1_000),
  bar('20250109', 10_200, 10_250, 10_100, 10_150, 1_000),
  // close 9,850 vs the average 10,211: −3.53 % ≤ −3 %: stop-loss at this close
  bar('20250110', 10_100, 10_100, 9_800, 9_850, 1_000),
  // market sell at the open 9,800 − 1 tick = 9,790
  bar('20250113', 9_800, 9_900, 9_700, 9_750, 1_000),
];

async function run(onDecision?: (d: BacktestDecision) => void) {
  const settings = await backtestSettings((c) => {
    c.strategies = {
      bo: {
        ...c.strategies['momentum-volume']!, use: 'rules',
        params: { entry: { name: 'breakout', all: [{ left: 'price', op: '>', right: 'high(3)' }] } },
        exits: { ...c.strategies['momentum-volume']!.exits, stopLossPct: 3, takeProfitPct: null, maxHoldDays: null },
      },
    };
  }, { initialCash: krw(10_000_000) });
  return runBacktest({
    settings, bars: new Map([[SYM, BARS]]), from: tradingDate('20250102'), to: tradingDate('20250113'),
    fees: DEFAULT_FEE_RATES,
    ...(onDecision ? { onDecision } : {}),
  });
}

describe('a hand-built breakout stopped out', () => {
  it('buys at the next open with slippage, sells on the stop, with every won accounted for', async () => {
    const orders: BacktestDecision[] = [];
    const r = await run((d) => { if (d.outcome === 'order') orders.push(d); });
    expect(orders.map((d) => [d.date, d.kind, d.rule])).toEqual([
      ['20250107', 'entry', 'breakout'], ['20250110', 'exit', 'stop-loss'],
    ]);
    // 10 % of 10,000,000 at the limit 10,260 → 97 shares; 97 × 10,210 = 990,370; commission floor(139.64) = 139
    // 97 × 9,790 = 949,630; commission floor(133.90) = 133; tax floor(1,424.445) = 1,424 (settles 20250115)
    expect(r.fills.map((f) => [f.date, f.side, f.qty, f.price, f.amount, f.commission, f.tax])).toEqual([
      ['20250108', 'buy', 97, 10_210, 990_370, 139, 0],
      ['20250113', 'sell', 97, 9_790, 949_630, 133, 1_424],
    ]);
    expect(r.roundTrips).toHaveLength(1);
    const t = r.roundTrips[0]!;
    // gross −40,740; net −40,740 − 272 − 1,424 = −42,436; return −42,436 / 990,509 = −428.4 bp
    expect(t).toMatchObject({
      status: 'closed', strategy: 'bo', qty: 97, closedQty: 97, entryPrice: 10_210, exitPrice: 9_790, gross: -40_740,
      commission: 272, tax: 1_424, net: -42_436, returnBp: -428, exitRule: 'stop-loss', openQty: 0, openCost: 0,
      tradingDate: '20250108',
    });
    expect(t.holdingSeconds).toBe(5 * 86_400);
    const day = (d: string) => r.daily.find((x) => x.date === d)!;
    // after the buy: cash 9,009,491 + 97 × 10,250 = 10,003,741; unrealised 994,250 − 990,509 = 3,741
    expect(day('20250108')).toMatchObject({
      realised: 0, unrealised: 3_741, fees: 139, tax: 0, equity: 10_003_741, drawdown: 0,
    });
    // after the sell: realised 948,073 − 990,509 = −42,436; peak 10,003,741 → drawdown 46,177 = 46 bp (0.46 %)
    expect(day('20250113')).toMatchObject({
      realised: -42_436, unrealised: 0, fees: 133, tax: 1_424, equity: 9_957_564, peakEquity: 10_003_741,
      drawdown: 46_177, drawdownBp: 46,
    });
    expect(r.daily).toHaveLength(8);
    expect(r.summary).toMatchObject({
      trades: 1, wins: 0, losses: 1, net: -42_436, commission: 272, tax: 1_424, fees: 272, orders: 2, unfilled: 0,
      maxDrawdown: 46_177,
      startEquity: 10_000_000, endEquity: 9_957_564, days: 8, open: 0,
    });
    expect(r.summary.totalReturn).toBeCloseTo(-0.0042436, 9);
    // held at the close of 0108, 0109, 0110 (sold at the open of 0113): 3 of 8 days
    expect(r.summary.exposure).toBeCloseTo(3 / 8, 12);
  });

  it('does not buy on a day locked at the upper limit, and lets the order expire', async () => {
    const locked = BARS.map((b) => (b.date === '20250108' ? {
      ...b, open: krw(13_325), high: krw(13_325), low: krw(13_325), close: krw(13_325),
    } : b));
    const settings = await backtestSettings((c) => {
      c.strategies = {
        bo: {
          ...c.strategies['momentum-volume']!, use: 'rules',
          params: { entry: { all: [{ left: 'price', op: '>', right: 'high(3)' }] } },
        },
      };
    }, { initialCash: krw(10_000_000) });
    const r = runBacktest({
      settings, bars: new Map([[SYM, locked.slice(0, 5)]]), from: tradingDate('20250102'), to: tradingDate('20250108'),
      fees: DEFAULT_FEE_RATES,
    });
    // 10,250 × 1.3 = 13,325: the upper limit of 0108, open = high = low there
    expect(r.summary.orders).toBe(1);
    expect(r.fills).toEqual([]);
    expect(r.summary.unfilled).toBe(1);
  });
});

describe('a second position in a symbol', () => {
  it('starts its exit state afresh: the first one\'s armed break-even does not sell it', async () => {
    const bars = [
      ...BARS.slice(0, 4),
      bar('20250108', 10_200, 10_600, 10_150, 10_500, 1_000), // bought at 10,210; peak 10,600 = +3.8 %: armed
      bar('20250109', 10_400, 10_400, 10_150, 10_200, 1_000), // 10,200 ≤ the average 10,211: break-even exit
      bar('20250110', 10_200, 10_250, 10_100, 10_150, 1_000), // sold at 10,190
      bar('20250113', 10_150, 10_300, 10_100, 10_250, 1_000),
      bar('20250114', 10_300, 10_700, 10_300, 10_650, 2_000), // 10,650 > high(3) 10,400: a new entry
      bar('20250115', 10_600, 10_650, 10_500, 10_550, 1_000), // bought at 10,610; 10,550 is below its average
      bar('20250116', 10_550, 10_600, 10_500, 10_560, 1_000),
    ];
    const settings = await backtestSettings((c) => {
      c.strategies = {
        bo: {
          ...c.strategies['momentum-volume']!, use: 'rules',
          params: { entry: { name: 'breakout', all: [{ left: 'price', op: '>', right: 'high(3)' }] } },
          exits: {
            ...c.strategies['momentum-volume']!.exits, stopLossPct: 10, takeProfitPct: null, breakEvenAfterPct: 2,
            maxHoldDays: null,
          },
        },
      };
    }, { initialCash: krw(10_000_000) });
    const exits: BacktestDecision[] = [];
    const r = runBacktest({
      settings, bars: new Map([[SYM, bars]]), from: tradingDate('20250102'), to: tradingDate('20250116'),
      fees: DEFAULT_FEE_RATES,
      onDecision: (d) => { if (d.kind === 'exit') exits.push(d); },
    });
    expect(exits.map((d) => [d.date, d.rule])).toEqual([
      ['20250108', 'hold'], ['20250109', 'break-even'], ['20250115', 'hold'],
    ]);
    expect(r.fills.map((f) => [f.date, f.side, f.price])).toEqual([
      ['20250108', 'buy', 10_210], ['20250110', 'sell', 10_190], ['20250115', 'buy', 10_610],
    ]);
  });
});
