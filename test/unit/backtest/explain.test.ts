import { describe, expect, it } from 'vitest';
import { runBacktest } from '../../../src/backtest/index.js';
import type { BacktestDecision, BacktestSettings } from '../../../src/backtest/index.js';
import { shares } from '../../../src/domain/index.js';
import { DEFAULT_FEE_RATES, priceLimits, tickSize } from '../../../src/market/index.js';
import { barSumsOf, decideEntry, decideExit, NO_VALUES, REGULAR_SESSION } from '../../../src/signals/index.js';
import type { Snapshot } from '../../../src/signals/index.js';
import { backtestSettings } from '../../helpers/backtest-settings.js';
import { syntheticMarket, weekdays } from '../../helpers/synthetic-bars.js';

// A backtest without a decision listener decides unexplained (Snapshot.explain false: no values, no
// detail) on windows it vouches for (barsChecked), with its series' running sums: the fast path of
// docs/backtest.md §5. It must
// take exactly the decisions the recorded path takes, or the bench's figure is for other code.

const SYMBOLS = 60;
const DAYS = 160;
const dates = weekdays('20250102', DAYS);
const market = syntheticMarket(SYMBOLS, DAYS, 7);

/** Every built-in strategy at once, with every protective exit armed, so each rule gets its turn. */
const everyStrategy = (): Promise<BacktestSettings> => backtestSettings((c) => {
  const base = c.strategies['momentum-volume']!;
  const exits = { ...base.exits, trailAtrMultiple: 2, breakEvenAfterPct: 3, takeProfitPct: 8, maxHoldDays: 6 };
  c.strategies = {
    'momentum-volume': { ...base, budgetPct: 40, exits },
    'rsi2-mean-reversion': { ...base, use: 'rsi2-mean-reversion', budgetPct: 20, exits },
    'breakout-atr': { ...base, use: 'breakout-atr', budgetPct: 20, exits },
    'gap-and-go': { ...base, use: 'gap-and-go', budgetPct: 20, exits },
  };
  c.risk.maxPositions = 8;
});

describe('the backtest without a listener (unexplained) and with one (recorded)', () => {
  it('gives the same fills, orders and summary on a seeded market, every built-in strategy', async () => {
    const settings = await everyStrategy();
    const input = { settings, bars: market, from: dates[40]!, to: dates.at(-1)!, fees: DEFAULT_FEE_RATES };
    const recorded: BacktestDecision[] = [];
    const explained = runBacktest({ ...input, onDecision: (d) => recorded.push(d) });
    const fast = runBacktest(input);
    expect(fast.hash).toBe(explained.hash);
    expect(fast.fills).toEqual(explained.fills);
    expect(fast.summary).toEqual(explained.summary);
    // the run trades, through every strategy and both kinds of decision, so the comparison means something
    const orders = recorded.filter((d) => d.outcome === 'order');
    expect(orders).toHaveLength(explained.summary.orders);
    expect(new Set(orders.map((d) => d.strategy)).size).toBeGreaterThanOrEqual(3);
    expect(new Set(orders.map((d) => `${d.kind} ${d.rule}`)).size).toBeGreaterThanOrEqual(5);
    expect(recorded.every((d) => Object.keys(d.values).length > 0)).toBe(true);
  });

  it('decides every snapshot alike either way: same action, rule and exit state; values only when explained', async () => {
    const { strategies } = await everyStrategy();
    let compared = 0;
    const rules = new Set<string>();
    for (const bars of market.values()) {
      const sums = barSumsOf(bars)!;
      for (let at = 1; at < bars.length; at++) {
        const bar = bars[at]!;
        const base = bars[at - 1]!.close;
        const limits = priceLimits(base);
        const snapshot: Snapshot = {
          symbol: bar.symbol, today: bar.date, session: REGULAR_SESSION, scan: null, position: null,
          bars: bars.slice(Math.max(0, at - 40), at),
          quote: {
            symbol: bar.symbol, price: bar.close, open: bar.open, high: bar.high, low: bar.low, basePrice: base,
            upperLimit: limits.upper, lowerLimit: limits.lower, tick: tickSize(bar.close), volume: bar.volume,
            tradedValue: bar.value, changeBp: Math.trunc(((bar.close - base) * 10_000) / base), halted: false,
            status: {
              code: null, administrative: false, warning: null, marketWarningCode: null, investmentAttention: false,
              shortTermOverheated: false, liquidationTrading: false, vi: false,
            },
            at: Date.parse(`${bar.date.slice(0, 4)}-${bar.date.slice(4, 6)}-${bar.date.slice(6)}T06:30:00Z`) as never,
          },
        };
        const fast = { ...snapshot, explain: false, barsChecked: true, sums: { series: sums, end: at } };
        for (const strategy of strategies) {
          const a = decideEntry(snapshot, strategy);
          const b = decideEntry(fast, strategy);
          expect([b.action, b.rule, b.values, b.detail]).toEqual([a.action, a.rule, NO_VALUES, null]);
          expect(Object.keys(a.values).length).toBeGreaterThan(0);
          rules.add(a.rule);
          // an exit of a position bought five days ago at that day's close
          if (at < 6) continue;
          const exit = (s: Omit<Snapshot, 'position'>) => decideExit({
            snapshot: s, strategy, policy: strategy.exits, previous: null, flattenDue: false,
            position: { qty: shares(10), avgPrice: bars[at - 5]!.close, openedDate: bars[at - 5]!.date, daysHeld: 5 },
          });
          const x = exit(snapshot);
          const y = exit(fast);
          expect([y.action, y.rule, y.state, y.values]).toEqual([x.action, x.rule, x.state, NO_VALUES]);
          rules.add(x.rule);
          compared += 1;
        }
      }
    }
    expect(compared).toBeGreaterThan(30_000);
    for (const r of ['momentum-volume', 'change-below-min', 'volume-ratio-below-min', 'stop-loss', 'take-profit', 'hold']) {
      expect(rules).toContain(r);
    }
  });
});
