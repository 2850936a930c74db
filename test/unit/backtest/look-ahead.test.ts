import { describe, expect, it } from 'vitest';
import { runBacktest } from '../../../src/backtest/index.js';
import type { BacktestDecision, BacktestSettings, BacktestUniverse } from '../../../src/backtest/index.js';
import { krw, shares } from '../../../src/domain/index.js';
import type { DailyBar, StockCode, TradingDate } from '../../../src/domain/index.js';
import { DEFAULT_FEE_RATES, roundToTick } from '../../../src/market/index.js';
import { backtestSettings } from '../../helpers/backtest-settings.js';
import { seededRandom, syntheticMarket, weekdays } from '../../helpers/synthetic-bars.js';

const SYMBOLS = 30;
const DAYS = 60;
const dates = weekdays('20250102', DAYS);
const FROM = dates[25]!;
const TO = dates.at(-1)!;

type Market = Map<StockCode, DailyBar[]>;

/** Every bar after `t` moved at random (seeded): prices by ±20 %, volume by ×0.5–2. */
function perturbAfter(market: Market, t: TradingDate, seed: number): Market {
  const rand = seededRandom(seed);
  const out: Market = new Map();
  for (const [symbol, bars] of market) {
    out.set(symbol, bars.map((b) => {
      if (b.date <= t) return b;
      const f = 0.8 + 0.4 * rand();
      const p = (x: number) => krw(roundToTick(x * f, 'nearest'));
      const volume = Math.round(b.volume * (0.5 + 1.5 * rand()));
      return {
        ...b, open: p(b.open), high: p(b.high), low: p(b.low), close: p(b.close), volume: shares(volume),
        value: krw(volume * p(b.close)),
      };
    }));
  }
  return out;
}

function decisions(settings: BacktestSettings, market: Market, universe: BacktestUniverse): BacktestDecision[] {
  const out: BacktestDecision[] = [];
  runBacktest({
    settings, bars: market, from: FROM, to: TO, fees: DEFAULT_FEE_RATES, universe, onDecision: (d) => out.push(d),
  });
  return out;
}

describe('no look-ahead', () => {
  // `rebuilt`: each day's rankings too come from the bars up to that day only (docs/backtest.md §3)
  const title = 'decides every day up to t the same whatever happens after t (%s)';
  it.each(['all', 'rebuilt'] as const)(title, async (mode) => {
    // momentum-volume with its defaults and exits that trade often, so entries and every exit rule are exercised
    const settings = await backtestSettings((c) => {
      c.strategies['momentum-volume']!.exits = {
        ...c.strategies['momentum-volume']!.exits, trailAtrMultiple: 2, breakEvenAfterPct: 2,
      };
      c.risk.maxPositions = 10;
      c.strategies['momentum-volume']!.maxPositions = 10;
      // the rankings' top 3 only; the synthetic codes 000001… would read as preferred shares (scan/universe.ts)
      c.strategies['momentum-volume']!.universe.maxRank = mode === 'rebuilt' ? 3 : null;
      c.scan.excludeKinds.preferred = false;
    });
    const universe: BacktestUniverse = { mode };
    const market = syntheticMarket(SYMBOLS, DAYS, 11);
    const base = decisions(settings, market, universe);
    const orders = base.filter((d) => d.outcome === 'order');
    expect(orders.filter((d) => d.kind === 'entry').length).toBeGreaterThan(5);
    expect(orders.filter((d) => d.kind === 'exit').length).toBeGreaterThan(3);
    let changedLater = 0;
    for (const [i, t] of dates.entries()) {
      if (t < FROM || t === TO) continue;
      const moved = decisions(settings, perturbAfter(market, t, 1_000 + i), universe);
      const upTo = (ds: BacktestDecision[]) => ds.filter((d) => d.date <= t);
      expect(upTo(moved), `decisions up to ${t}`).toEqual(upTo(base));
      const after = (ds: BacktestDecision[]) => JSON.stringify(ds.filter((d) => d.date > t));
      if (after(moved) !== after(base)) changedLater += 1;
    }
    // the perturbation does change what comes after t, so the equality above is not vacuous
    expect(changedLater).toBeGreaterThan(20);
  });
});

describe('determinism', () => {
  it('gives the same hash for the same inputs, whatever order they come in', async () => {
    const settings = await backtestSettings();
    const market = syntheticMarket(SYMBOLS, DAYS, 5);
    const a = runBacktest({ settings, bars: market, from: FROM, to: TO, fees: DEFAULT_FEE_RATES });
    const b = runBacktest({ settings, bars: market, from: FROM, to: TO, fees: DEFAULT_FEE_RATES });
    const reversed: Market = new Map([...market].reverse().map(([s, bars]) => [s, [...bars].reverse()]));
    const c = runBacktest({ settings, bars: reversed, from: FROM, to: TO, fees: DEFAULT_FEE_RATES });
    expect(a.fills.length).toBeGreaterThan(0);
    expect(a.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(b.hash).toBe(a.hash);
    expect(c.hash).toBe(a.hash);
    expect(c.daily).toEqual(a.daily);
    const slipped = runBacktest({
      settings: { ...settings, slippageTicks: 3 }, bars: market, from: FROM, to: TO, fees: DEFAULT_FEE_RATES,
    });
    expect(slipped.hash).not.toBe(a.hash);
  });
});
