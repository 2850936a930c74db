import { addDays, epochMs, krw, kstDateOf, kstInstant, tradingDate, weekdayOf } from '../../src/domain/index.js';
import type { EpochMs, TradingDate } from '../../src/domain/index.js';
import type { DailyPnl, GuardStat, ReviewInput, RoundTrip } from '../../src/review/index.js';

/**
 * Review inputs for the report's tests and for scripts/report-screenshots.ts: `roundTrip` builds one
 * trip whose figures add up as v_round_trips makes them (commission 0.015 % a side, floor; the 2026
 * sell tax 0.20 %, floor), and `sampleReview` a deterministic month of a small book.
 */

export const at = (date: string, hhmmss: string): EpochMs => kstInstant(tradingDate(date), hhmmss);

const COMMISSION_PPM = 150;
const SELL_TAX_PPM = 2000;
const fee = (value: number, ppm: number): number => Math.floor((value * ppm) / 1_000_000);

export interface TripSpec {
  id: number;
  symbol: string;
  strategy: string | null;
  openedAt: EpochMs;
  qty: number;
  entryPrice: number;
  /** a closed trip: when and at what price every share was sold */
  close?: { at: EpochMs; price: number; rule: string | null };
  /** an open trip: the last mark */
  mark?: number;
}

/** One round trip, closed when `close` is given, open otherwise (unrealised at `mark`). */
export function roundTrip(s: TripSpec): RoundTrip {
  const entryValue = s.entryPrice * s.qty;
  const entryFee = fee(entryValue, COMMISSION_PPM);
  const base = {
    id: s.id, symbol: s.symbol, strategy: s.strategy, openedAt: s.openedAt, qty: s.qty, entryPrice: krw(s.entryPrice),
    tradingDate: kstDateOf(s.openedAt),
  };
  if (!s.close) {
    const unrealised = s.mark === undefined ? null : krw(s.mark * s.qty - entryValue - entryFee);
    return {
      ...base, status: 'open', closedAt: null, holdingSeconds: null, closedQty: 0, exitPrice: null, gross: krw(0),
      commission: krw(0), tax: krw(0), net: krw(0), returnBp: null, exitRule: null, unrealised,
      mark: s.mark === undefined ? null : krw(s.mark), openQty: s.qty, openCost: krw(entryValue + entryFee),
    };
  }
  const exitValue = s.close.price * s.qty;
  const gross = exitValue - entryValue;
  const commission = entryFee + fee(exitValue, COMMISSION_PPM);
  const tax = fee(exitValue, SELL_TAX_PPM);
  const net = gross - commission - tax;
  return {
    ...base, status: 'closed', closedAt: s.close.at, holdingSeconds: (s.close.at - s.openedAt) / 1000, closedQty: s.qty,
    exitPrice: krw(s.close.price), gross: krw(gross), commission: krw(commission), tax: krw(tax), net: krw(net),
    returnBp: Math.trunc((net * 10_000) / (entryValue + entryFee)), exitRule: s.close.rule,
    unrealised: null, mark: null, openQty: 0, openCost: krw(0),
  };
}

export const SAMPLE_NAMES: Readonly<Record<string, string>> = {
  '005930': '삼성전자', '000660': 'SK하이닉스', '035420': 'NAVER', '035720': '카카오', '005380': '현대차',
  '051910': 'LG화학', '068270': '셀트리온', '373220': 'LG에너지솔루션', '207940': '삼성바이오로직스', '105560': 'KB금융',
};
const PRICES: Readonly<Record<string, number>> = {
  '005930': 71_200, '000660': 182_500, '035420': 201_000, '035720': 41_350, '005380': 244_500,
  '051910': 318_000, '068270': 176_900, '373220': 387_500, '207940': 1_012_000, '105560': 81_700,
};
const STRATEGIES = ['momentum-volume', 'breakout', 'gap-reversal'] as const;

/** The exit rule that would have closed a trip that moved `move` (a fraction) in `days` trading days. */
function ruleFor(move: number, days: number, rnd: () => number): string {
  if (move >= 0.03) return 'take-profit 3 %';
  if (move <= -0.02) return 'stop-loss -2 %';
  if (days >= 3) return 'time-stop 3d';
  return rnd() < 0.5 ? 'trailing-stop 1.5 %' : 'close-of-day';
}

/** mulberry32: a tiny seeded generator, so the sample (and its screenshot) is the same every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** `n` weekdays from `first` (holidays ignored: a sample, not a calendar). */
function weekdays(first: string, n: number): TradingDate[] {
  const out: TradingDate[] = [];
  for (let d = tradingDate(first); out.length < n; d = addDays(d, 1)) if (weekdayOf(d) % 6 !== 0) out.push(d);
  return out;
}

const pick = <T>(rnd: () => number, xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
const tick = (p: number): number => (p >= 200_000 ? Math.round(p / 500) * 500 : Math.round(p / 50) * 50);

/** Trips of one day: each opened 1–3 trading days before `date` (or on it) and closed on it. */
function tripsClosedOn(rnd: () => number, days: readonly TradingDate[], i: number, nextId: () => number): RoundTrip[] {
  const out: RoundTrip[] = [];
  const count = Math.floor(rnd() * 4);
  for (let k = 0; k < count; k++) {
    const symbol = pick(rnd, Object.keys(PRICES));
    const entryPrice = tick(PRICES[symbol]! * (0.94 + rnd() * 0.12));
    const move = (rnd() - 0.42) * 0.07;
    const back = Math.min(i, Math.floor(rnd() * 4));
    const opened = days[i - back]!;
    const openedAt = epochMs(at(opened, '091500') + Math.floor(rnd() * 18_000) * 1000);
    const closedAt = epochMs(Math.max(openedAt + 600_000, at(days[i]!, '100000') + Math.floor(rnd() * 19_000) * 1000));
    out.push(roundTrip({
      id: nextId(), symbol, strategy: rnd() < 0.06 ? null : pick(rnd, STRATEGIES), openedAt,
      qty: Math.max(1, Math.floor(3_000_000 / entryPrice)), entryPrice,
      close: { at: closedAt, price: tick(entryPrice * (1 + move)), rule: ruleFor(move, back, rnd) },
    }));
  }
  return out;
}

/** A daily row after the day's trips: equity moves by the realised P&L and the change in unrealised. */
function dailyRow(
  date: TradingDate, trips: readonly RoundTrip[], prev: DailyPnl | undefined, unrealised: number,
): DailyPnl {
  const realised = trips.reduce((s, t) => s + t.net, 0);
  const equity = (prev?.equity ?? 30_000_000) + realised + unrealised - (prev?.unrealised ?? 0);
  const peak = Math.max(prev?.peakEquity ?? equity, equity);
  return {
    date, realised: krw(realised), unrealised: krw(unrealised), fees: krw(trips.reduce((s, t) => s + t.commission, 0)),
    tax: krw(trips.reduce((s, t) => s + t.tax, 0)), equity: krw(equity), peakEquity: krw(peak),
    drawdown: krw(peak - equity),
    drawdownBp: Math.trunc(((peak - equity) * 10_000) / peak),
  };
}

const GUARDS: readonly GuardStat[] = [
  { strategy: 'momentum-volume', guard: 'max-positions', checked: 212, blocked: 37 },
  { strategy: 'momentum-volume', guard: 'daily-loss-limit', checked: 175, blocked: 4 },
  { strategy: 'breakout', guard: 'cooldown', checked: 96, blocked: 11 },
  { strategy: 'breakout', guard: 'max-positions', checked: 85, blocked: 9 },
  { strategy: 'gap-reversal', guard: 'vi-halt', checked: 40, blocked: 2 },
  { strategy: 'gap-reversal', guard: 'halt', checked: 38, blocked: 0 },
];

/** About five weeks of a 30,000,000-won sim book over ten large caps, with two open trips at the end. */
export function sampleReview(days = 25): ReviewInput {
  const rnd = random(20261207);
  const dates = weekdays('20261102', days);
  let id = 100;
  const nextId = (): number => ++id;
  const trips: RoundTrip[] = [];
  const daily: DailyPnl[] = [];
  dates.forEach((date, i) => {
    const closed = tripsClosedOn(rnd, dates, i, nextId);
    trips.push(...closed);
    daily.push(dailyRow(date, closed, daily[daily.length - 1], Math.round((rnd() - 0.45) * 180_000)));
  });
  const last = dates[dates.length - 1]!;
  trips.push(
    roundTrip({ id: nextId(), symbol: '005930', strategy: 'momentum-volume', openedAt: at(last, '093212'), qty: 42,
      entryPrice: 71_300, mark: 72_100 }),
    roundTrip({ id: nextId(), symbol: '035720', strategy: 'breakout', openedAt: at(last, '101507'), qty: 70,
      entryPrice: 42_150, mark: 41_700 }),
  );
  const mid = dates[Math.floor(dates.length / 2)]!;
  return {
    title: 'sim · ~/.kis-trader/sim.sqlite', from: dates[0]!, to: last, roundTrips: trips, daily, guards: GUARDS,
    configs: [
      { hash: 'c0ffee12a4b9', from: at(dates[0]!, '090500'), to: at(mid, '151500'), decisions: 318 },
      { hash: '7d41e09bb2f3', from: at(addDays(mid, 1), '090500'), to: at(last, '151500'), decisions: 274 },
    ],
    names: SAMPLE_NAMES, generatedAt: epochMs(at(last, '160312')),
  };
}
