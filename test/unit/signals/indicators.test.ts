import { describe, it, expect } from 'vitest';
import {
  Atr, AverageVolume, BollingerBands, Ema, Gap, HighLow, Macd, RateOfChange, Rsi, Sma, VolumeRatio,
  atrOf, averageVolumeOf, barSumsOf, bollingerOf, emaOf, gapOf, highLowOf, lastAverageVolumeOf, lastCloseSmaOf, macdOf, rateOfChangeOf,
  rsiOf, smaOf, volumeRatioOf,
} from '../../../src/signals/index.js';

function stream<T>(ind: { add(v: T): number | null }, inputs: readonly T[]): (number | null)[] {
  return inputs.map((v) => ind.add(v));
}

describe('Sma', () => {
  it('is null until warmed up, then the mean of the last `period` values', () => {
    expect(stream(new Sma(3), [1, 2, 3, 4, 5, 2])).toEqual([null, null, 2, 3, 4, 11 / 3]);
  });

  it('rejects a period below one', () => {
    expect(() => new Sma(0)).toThrow(RangeError);
    expect(() => new Sma(1.5)).toThrow(RangeError);
  });
});

describe('Ema', () => {
  it('is seeded with the SMA of the first period, then k = 2 / (period + 1)', () => {
    // period 3 → k = 0.5; seed (1+2+3)/3 = 2; 4·0.5 + 2·0.5 = 3; 5·0.5 + 3·0.5 = 4; 2·0.5 + 4·0.5 = 3
    expect(stream(new Ema(3), [1, 2, 3, 4, 5, 2])).toEqual([null, null, 2, 3, 4, 3]);
  });

  it('uses k = 2 / (period + 1) for other periods', () => {
    // period 4 → k = 0.4; seed (10+20+30+40)/4 = 25; then 50·0.4 + 25·0.6 = 35
    const ema = new Ema(4);
    stream(ema, [10, 20, 30, 40, 50]);
    expect(ema.value).toBeCloseTo(35, 10);
  });
});

describe('Atr (Wilder)', () => {
  const hlc = [
    { high: 10, low: 8, close: 9 }, // TR = 2 (first bar: high − low)
    { high: 11, low: 9, close: 10 }, // TR = max(2, |11−9|, |9−9|) = 2
    { high: 14, low: 12, close: 13 }, // TR = max(2, |14−10|, |12−10|) = 4 → ATR = 8/3
    { high: 13, low: 9, close: 10 }, // TR = max(4, |13−13|, |9−13|) = 4 → (8/3·2 + 4)/3 = 28/9
    { high: 11, low: 10, close: 10.5 }, // TR = max(1, |11−10|, |10−10|) = 1 → (28/9·2 + 1)/3 = 65/27
  ];

  it('averages true ranges with Wilder smoothing', () => {
    const values = stream(new Atr(3), hlc);
    expect(values.slice(0, 2)).toEqual([null, null]);
    expect(values[2]).toBeCloseTo(8 / 3, 12);
    expect(values[3]).toBeCloseTo(28 / 9, 12);
    expect(values[4]).toBeCloseTo(65 / 27, 12);
  });

  it('atrOf gives the last value', () => {
    expect(atrOf(hlc, 3)).toBeCloseTo(65 / 27, 12);
    expect(atrOf(hlc.slice(0, 2), 3)).toBeNull();
  });
});

describe('Rsi (Wilder)', () => {
  // changes +2 −1 +2 | −1 +3
  const closes = [10, 12, 11, 13, 12, 15];

  it('needs period + 1 closes and smooths gains and losses', () => {
    const values = stream(new Rsi(3), closes);
    expect(values.slice(0, 3)).toEqual([null, null, null]);
    // avg gain 4/3, avg loss 1/3 → RS 4 → 80
    expect(values[3]).toBeCloseTo(80, 10);
    // gain (4/3·2 + 0)/3 = 8/9, loss (1/3·2 + 1)/3 = 5/9 → RS 1.6 → 100 − 100/2.6
    expect(values[4]).toBeCloseTo(100 - 100 / 2.6, 10);
    // gain (8/9·2 + 3)/3 = 43/27, loss (5/9·2 + 0)/3 = 10/27 → RS 4.3 → 100 − 100/5.3
    expect(values[5]).toBeCloseTo(100 - 100 / 5.3, 10);
  });

  it('is 100 without losses and 50 without any movement', () => {
    expect(rsiOf([1, 2, 3, 4], 3)).toBe(100);
    expect(rsiOf([5, 5, 5, 5], 3)).toBe(50);
  });
});

describe('helpers over series', () => {
  it('compute the value after the last element', () => {
    expect(smaOf([4, 8, 6], 2)).toBe(7);
    expect(emaOf([1, 2, 3, 4], 3)).toBe(3);
    expect(smaOf([1], 2)).toBeNull();
  });

  it('average volume is the rolling mean of bar volumes', () => {
    const vols = [100, 200, 300, 600].map((volume) => ({ volume }));
    expect(averageVolumeOf(vols, 3)).toBe((200 + 300 + 600) / 3);
    const avg = new AverageVolume(2);
    expect(stream(avg, [10, 30, 50])).toEqual([null, 20, 40]);
  });

  it('the last-period means read in place give the bits of an Sma fed exactly the last period values', () => {
    // fractions, so a different order of additions would show in the last bits
    const rows = Array.from({ length: 45 }, (_, i) => ({ close: 1_000 / (i + 3) + i * 0.1, volume: Math.sqrt(i + 2) * 1e5 }));
    for (const period of [1, 5, 20, 45]) {
      expect(lastCloseSmaOf(rows, period)).toBe(smaOf(rows.slice(-period).map((r) => r.close), period));
      expect(lastAverageVolumeOf(rows, period)).toBe(averageVolumeOf(rows.slice(-period), period));
    }
    expect(lastCloseSmaOf(rows.slice(0, 19), 20)).toBeNull();
    expect(lastAverageVolumeOf(rows.slice(0, 19), 20)).toBeNull();
    expect(() => lastCloseSmaOf(rows, 0)).toThrow(RangeError);
  });

  it('with running sums of whole numbers, the last-period means read two sums and give the same bits', () => {
    let x = 7;
    const next = (): number => (x = (x * 48_271) % 2_147_483_647);
    const rows = Array.from({ length: 300 }, () => ({ close: 1_000 + (next() % 900_000), volume: next() % 50_000_000 }));
    const series = barSumsOf(rows)!;
    for (let end = 0; end <= rows.length; end++) {
      const window = rows.slice(Math.max(0, end - 40), end);
      for (const period of [1, 5, 20, 40]) {
        expect(lastCloseSmaOf(window, period, { series, end })).toBe(lastCloseSmaOf(window, period));
        expect(lastAverageVolumeOf(window, period, { series, end })).toBe(lastAverageVolumeOf(window, period));
      }
    }
    // not exact, so none: a fraction, or a sum beyond 2^53
    expect(barSumsOf([...rows, { close: 1.5, volume: 1 }])).toBeNull();
    expect(barSumsOf([{ close: 1, volume: 2 ** 52 }, { close: 1, volume: 2 ** 52 }])).toBeNull();
  });
});

describe('BollingerBands', () => {
  it('is the SMA ± multiplier population deviations of the last `period` values', () => {
    // window 2, 4, 4, 4, 5, 5, 7, 9: mean 5, population deviation 2 (sample would be 2.138…)
    const bands = new BollingerBands(8, 2);
    const values = stream({ add: (v: number) => bands.add(v)?.middle ?? null }, [1, 2, 4, 4, 4, 5, 5, 7, 9]);
    expect(values.slice(0, 7)).toEqual([null, null, null, null, null, null, null]);
    expect(bands.value).toEqual({ upper: 9, middle: 5, lower: 1 });
    expect(bollingerOf([2, 4, 4, 4, 5, 5, 7, 9], 8, 1)).toEqual({ upper: 7, middle: 5, lower: 3 });
  });

  it('rejects a negative multiplier', () => {
    expect(() => new BollingerBands(20, -1)).toThrow(RangeError);
  });
});

describe('Macd', () => {
  it('is fast EMA − slow EMA, its SMA-seeded EMA and their difference', () => {
    // fast 2 (k 2/3), slow 3 (k 1/2), signal 2 (k 2/3) over 1, 2, 3, 4, 5:
    // fast 1.5, 2.5, 3.5, 4.5; slow 2, 3, 4 → line 0.5, 0.5, 0.5 → signal from the 4th value
    const macd = new Macd(2, 3, 2);
    expect([1, 2, 3].map((v) => macd.add(v))).toEqual([null, null, null]);
    expect(macd.add(4)).toEqual({ macd: 0.5, signal: 0.5, histogram: 0 });
    expect(macdOf([1, 2, 3, 4, 5], 2, 3, 2)).toEqual({ macd: 0.5, signal: 0.5, histogram: 0 });
  });

  it('needs a fast period below the slow one', () => {
    expect(() => new Macd(26, 12, 9)).toThrow(RangeError);
  });
});

describe('RateOfChange', () => {
  it('is the percent change over `period` values, null on a zero base', () => {
    expect(stream(new RateOfChange(2), [100, 110, 120, 99])).toEqual([null, null, 20, -10]);
    expect(rateOfChangeOf([0, 5], 1)).toBeNull();
  });
});

describe('VolumeRatio', () => {
  it('compares the latest volume with the mean of the `period` before it, in percent', () => {
    expect(stream(new VolumeRatio(2), [100, 300, 400, 100])).toEqual([null, null, 200, 100 * 100 / 350]);
    expect(volumeRatioOf([{ volume: 0 }, { volume: 0 }, { volume: 50 }], 2)).toBeNull();
  });
});

describe('HighLow', () => {
  it('is the highest high and lowest low of the last `period` bars, the latest included', () => {
    const bars = [
      { high: 10, low: 8 }, { high: 12, low: 9 }, { high: 11, low: 7 }, { high: 9, low: 8 }, { high: 9.5, low: 9 },
    ];
    expect(stream({ add: (b: { high: number; low: number }) => new HighLow(1).add(b)?.high ?? null }, bars)).toEqual([10, 12, 11, 9, 9.5]);
    const hl = new HighLow(3);
    expect(bars.map((b) => hl.add(b))).toEqual([null, null, { high: 12, low: 7 }, { high: 12, low: 7 }, { high: 11, low: 7 }]);
    expect(highLowOf(bars.slice(3), 3)).toBeNull();
  });
});

describe('Gap', () => {
  it('is the open against the previous close in percent, null on the first bar', () => {
    const bars = [{ open: 95, close: 100 }, { open: 103, close: 101 }, { open: 98.98, close: 99 }];
    const values = stream(new Gap(), bars);
    expect(values[0]).toBeNull();
    expect(values[1]).toBeCloseTo(3, 12);
    expect(values[2]).toBeCloseTo(-2, 12);
    expect(gapOf(bars.slice(0, 1))).toBeNull();
  });
});
