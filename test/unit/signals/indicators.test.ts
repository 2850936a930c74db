import { describe, it, expect } from 'vitest';
import { Atr, AverageVolume, Ema, Rsi, Sma, atrOf, averageVolumeOf, emaOf, rsiOf, smaOf } from '../../../src/signals/index.js';

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
});
