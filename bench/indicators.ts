/**
 * Indicator benchmark (see bench/README.md): our streaming indicators (src/signals/indicators.ts)
 * against trading-signals 8 on the same seeded random-walk series, in ns per add. Target: ours no
 * slower than the library; exits 1 if any of ours takes more than 2× the library's time per add.
 *
 *   npm run bench:indicators
 */
import {
  ATR, BollingerBands as TsBollinger, DonchianChannels, EMA, MACD, ROC, RSI, RVOL, SMA,
} from 'trading-signals';
import {
  Atr, BollingerBands, Ema, Gap, HighLow, Macd, RateOfChange, Rsi, Sma, VolumeRatio,
} from '../src/signals/index.js';

const BARS = 20_000;
const ROUNDS = 5;
const MAX_RATIO = 2;

interface Bar { open: number; high: number; low: number; close: number; volume: number }

function series(n: number, seed: number): Bar[] {
  let a = seed >>> 0;
  const rand = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const bars: Bar[] = [];
  let close = 50000;
  for (let i = 0; i < n; i += 1) {
    const open = close * (1 + 0.01 * (rand() - 0.5));
    close = open * (1 + 0.04 * (rand() - 0.5));
    bars.push({
      open, close,
      high: Math.max(open, close) * (1 + 0.01 * rand()),
      low: Math.min(open, close) * (1 - 0.01 * rand()),
      volume: Math.round(1e5 * (0.5 + rand())),
    });
  }
  return bars;
}

/** One pass: a fresh indicator fed every bar; returns ns per add. */
type Pass = (bars: readonly Bar[]) => number;

function timed(feed: (bars: readonly Bar[]) => unknown): Pass {
  return (bars) => {
    const start = process.hrtime.bigint();
    feed(bars);
    return Number(process.hrtime.bigint() - start) / bars.length;
  };
}

const CASES: [string, Pass, Pass][] = [
  ['SMA(20)', timed((bs) => { const x = new Sma(20); for (const b of bs) x.add(b.close); }),
    timed((bs) => { const x = new SMA(20); for (const b of bs) x.add(b.close); })],
  ['EMA(20)', timed((bs) => { const x = new Ema(20); for (const b of bs) x.add(b.close); }),
    timed((bs) => { const x = new EMA(20); for (const b of bs) x.add(b.close); })],
  ['RSI(14)', timed((bs) => { const x = new Rsi(14); for (const b of bs) x.add(b.close); }),
    timed((bs) => { const x = new RSI(14); for (const b of bs) x.add(b.close); })],
  ['ATR(14)', timed((bs) => { const x = new Atr(14); for (const b of bs) x.add(b); }),
    timed((bs) => { const x = new ATR(14); for (const b of bs) x.add(b); })],
  ['Bollinger(20, 2)', timed((bs) => { const x = new BollingerBands(20, 2); for (const b of bs) x.add(b.close); }),
    timed((bs) => { const x = new TsBollinger(20, 2); for (const b of bs) x.add(b.close); })],
  ['MACD(12, 26, 9)', timed((bs) => { const x = new Macd(12, 26, 9); for (const b of bs) x.add(b.close); }),
    timed((bs) => { const x = new MACD(new EMA(12), new EMA(26), new EMA(9)); for (const b of bs) x.add(b.close); })],
  ['ROC(20)', timed((bs) => { const x = new RateOfChange(20); for (const b of bs) x.add(b.close); }),
    timed((bs) => { const x = new ROC(20); for (const b of bs) x.add(b.close); })],
  ['volume ratio(20)', timed((bs) => { const x = new VolumeRatio(20); for (const b of bs) x.add(b.volume); }),
    timed((bs) => { const x = new RVOL(20); for (const b of bs) x.add(b.volume); })],
  ['high/low(20)', timed((bs) => { const x = new HighLow(20); for (const b of bs) x.add(b); }),
    timed((bs) => { const x = new DonchianChannels(20); for (const b of bs) x.add(b); })],
  // the library has no gap indicator; a one-period ROC fed open and close is the same work
  ['gap', timed((bs) => { const x = new Gap(); for (const b of bs) x.add(b); }),
    timed((bs) => { const x = new ROC(1); for (const b of bs) { x.add(b.open); x.add(b.close); } })],
];

const bars = series(BARS, 20261206);
let slow = 0;
console.log(`${BARS} bars, best of ${ROUNDS} rounds after one warm-up; fail if ours > ${MAX_RATIO}× the library`);
console.log('indicator          ours ns/add   trading-signals ns/add   ours ÷ lib');
for (const [name, ours, lib] of CASES) {
  ours(bars);
  lib(bars);
  let bestOurs = Infinity;
  let bestLib = Infinity;
  // alternate so that a busy moment on a shared machine hits both sides alike
  for (let r = 0; r < ROUNDS; r += 1) {
    bestOurs = Math.min(bestOurs, ours(bars));
    bestLib = Math.min(bestLib, lib(bars));
  }
  const ratio = bestOurs / bestLib;
  if (ratio > MAX_RATIO) slow += 1;
  console.log(`${name.padEnd(18)} ${bestOurs.toFixed(1).padStart(11)} ${bestLib.toFixed(1).padStart(24)} ${ratio.toFixed(2).padStart(12)}${ratio > MAX_RATIO ? '  SLOWER' : ''}`);
}
if (slow > 0) {
  console.error(`${slow} indicator(s) more than ${MAX_RATIO}× slower than trading-signals`);
  process.exitCode = 1;
}
