import { describe, expect, it } from 'vitest';
import { epochMs, krw, tradingDate } from '../../../src/domain/index.js';
import type { DailyPnl, ReviewInput } from '../../../src/review/index.js';
import { renderReport } from '../../../src/review/index.js';
import { holding, pct, won } from '../../../src/review/html.js';
import { at, roundTrip, sampleReview } from '../../helpers/review-sample.js';

/**
 * A small book, every figure computed by hand (commission 0.015 % a side, floor; sell tax 0.20 %):
 *   1 삼성전자   momentum  10 @ 70,000 → 72,000  gross +20,000  fees 105+108  tax 1,440  net +18,347
 *   2 SK하이닉스 breakout   5 @ 200,000 → 190,000 gross -50,000  fees 150+142  tax 1,900  net -52,192
 *   3 카카오     momentum 100 @ 41,000 → 43,000  gross +200,000 fees 615+645  tax 8,600  net +190,140
 *   4 삼성전자   breakout  20 @ 71,000, open, mark 71,500: unrealised 1,430,000 − 1,420,000 − 213 = +9,787
 * Closed: net +156,295, gross +170,000, fees 1,765, tax 11,940; 2 wins, 1 loss → 66.66 %;
 * avg win 208,487 / 2 = 104,243.5 → +104,244; profit factor 208,487 / 52,192 = 3.99.
 */
const day = (date: string, realised: number, equity: number, peak: number): DailyPnl => ({
  date: tradingDate(date), realised: krw(realised), unrealised: krw(0), fees: krw(0), tax: krw(0), equity: krw(equity),
  peakEquity: krw(peak), drawdown: krw(peak - equity), drawdownBp: Math.trunc(((peak - equity) * 10_000) / peak),
});

function book(): ReviewInput {
  return {
    title: 'sim · test book',
    from: tradingDate('20261201'),
    to: tradingDate('20261203'),
    roundTrips: [
      roundTrip({ id: 1, symbol: '005930', strategy: 'momentum', openedAt: at('20261201', '093000'), qty: 10,
        entryPrice: 70_000, close: { at: at('20261202', '100000'), price: 72_000, rule: 'take-profit 3 %' } }),
      roundTrip({ id: 2, symbol: '000660', strategy: 'breakout', openedAt: at('20261201', '101500'), qty: 5,
        entryPrice: 200_000, close: { at: at('20261202', '110000'), price: 190_000, rule: 'stop-loss -2 %' } }),
      roundTrip({ id: 3, symbol: '035720', strategy: 'momentum', openedAt: at('20261202', '090500'), qty: 100,
        entryPrice: 41_000, close: { at: at('20261203', '143000'), price: 43_000, rule: 'take-profit 3 %' } }),
      roundTrip({ id: 4, symbol: '005930', strategy: 'breakout', openedAt: at('20261203', '100000'), qty: 20,
        entryPrice: 71_000, mark: 71_500 }),
    ],
    daily: [
      day('20261201', 0, 10_000_000, 10_000_000),
      day('20261202', -33_845, 9_950_000, 10_000_000),
      day('20261203', 190_140, 10_120_000, 10_120_000),
    ],
    guards: [
      { strategy: 'momentum', guard: 'max-positions', checked: 12, blocked: 3 },
      { strategy: 'breakout', guard: 'cooldown', checked: 8, blocked: 0 },
    ],
    configs: [{ hash: 'cfg-a1b2c3', from: at('20261201', '090000'), to: at('20261203', '150000'), decisions: 1_234 }],
    names: { '005930': '삼성전자', '000660': 'SK하이닉스', '035720': '카카오' },
    generatedAt: epochMs(at('20261203', '160000')),
  };
}

/** Each chart's root <svg>: its class, its data-points and the number of `pt` elements inside it. */
function charts(html: string): { cls: string; declared: number; pts: number }[] {
  return [...html.matchAll(/<svg class="chart ([\w-]+)" data-points="(\d+)"[^>]*>([\s\S]*?)<\/svg>/g)].map((m) => ({
    cls: m[1]!, declared: Number(m[2]), pts: (m[3]!.match(/class="pt[ "]/g) ?? []).length,
  }));
}

describe('renderReport', () => {
  const html = renderReport(book());

  it('shows the summary tiles to the won, with separators', () => {
    for (const figure of [
      '+156,295 won', 'gross +170,000', '1,765 won', '11,940 won', '66.66 %', '3.99', '+104,244 won', '-52,192 won',
      '2 wins · 1 loss', '-50,000 won', '-0.50 %', '+9,787 won',
    ]) expect(html, figure).toContain(figure);
  });

  it('lists every round trip with its figures, KST times and Korean names', () => {
    for (const figure of [
      '+18,347', '+2.62 %', '-5.21 %', '+190,140', '+4.63 %', '41,000', '43,000', '8,600',
      '1d 0h', '12-01 09:30', '12-02 10:00', 'take-profit 3 %', 'stop-loss -2 %',
      '<code>005930</code> <span lang="ko">삼성전자</span>',
      '<code>000660</code> <span lang="ko">SK하이닉스</span>', '+9,787 unrealised', 'mark 71,500',
    ]) expect(html, figure).toContain(figure);
    expect(html).toContain('Times in KST, 2026');
    expect(html.match(/<span class="tag">open<\/span>/g)).toHaveLength(1);
  });

  it('shows the header: title, period, generated at in KST, the configs in force', () => {
    expect(html).toContain('<meta charset="utf-8">');
    expect(html).toContain('"Noto Sans CJK KR"');
    expect(html).toContain('<h1>sim · test book</h1>');
    expect(html).toContain('2026-12-01 – 2026-12-03');
    expect(html).toContain('2026-12-03 16:00:00 KST');
    expect(html).toContain('<code>cfg-a1b2c3</code>');
    expect(html).toContain('2026-12-01 09:00:00 KST');
    expect(html).toContain('1,234');
  });

  it('draws every chart with as many points as it says, gains red (up) and losses blue (down)', () => {
    expect(charts(html)).toEqual([
      { cls: 'equity', declared: 3, pts: 3 },
      { cls: 'drawdown', declared: 3, pts: 3 },
      { cls: 'daily', declared: 3, pts: 3 },
      { cls: 'by-strategy', declared: 2, pts: 2 },
      { cls: 'by-symbol', declared: 3, pts: 3 },
    ]);
    expect(html).toContain('<rect class="pt down"');
    expect(html).toContain('<rect class="pt up"');
    expect(html).toMatch(/--up: #d6303b; --down: #1f5fbf/);
    expect(html).toContain('red for gains and blue for losses');
    // by symbol: the name beside the code, the best first
    expect(html.indexOf('035720 카카오</text>')).toBeLessThan(html.indexOf('000660 SK하이닉스</text>'));
  });

  it('lists the guards, the most blocking first, with the share blocked', () => {
    const guards = html.slice(html.indexOf('<section class="guards">'));
    expect(guards.indexOf('max-positions')).toBeLessThan(guards.indexOf('cooldown'));
    expect(guards).toContain('25.00 %');
  });

  it('loads nothing: no script, no external source, a policy that forbids fetching', () => {
    expect(html).not.toMatch(/<script|<link(?! rel="icon" href="data:,")|<img|@import|url\(/i);
    expect([...html.matchAll(/\b(?:src|href)="([^"]*)"/g)].map((m) => m[1])).toEqual(['data:,']);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"`);
  });

  it('escapes every string from the trade log', () => {
    const evil = '<script>alert(1)</script>';
    const input = book();
    const trips = [...input.roundTrips, roundTrip({
      id: 9, symbol: '999999', strategy: '"><img src=x onerror=alert(2)>', openedAt: at('20261202', '100000'), qty: 1,
      entryPrice: 10_000,
      close: { at: at('20261203', '100000'), price: 10_000, rule: '</td><script>alert(3)</script>' },
    })];
    const out = renderReport({
      ...input, title: `<b>${evil}</b>`, roundTrips: trips, names: { ...input.names, '999999': evil },
      guards: [{ strategy: '<i>s</i>', guard: evil, checked: 1, blocked: 1 }],
      configs: [
        { hash: '"onmouseover="alert(4)', from: at('20261201', '090000'), to: at('20261201', '090000'), decisions: 1 },
      ],
    });
    expect(out).not.toMatch(/<script|<img|<i>|"onmouseover=/);
    expect(out).toContain('<h1>&lt;b&gt;&lt;script&gt;');
    expect(out).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(out).toContain('&quot;&gt;&lt;img src=x onerror=alert(2)&gt;');
    expect(out).toContain('&lt;/td&gt;&lt;script&gt;alert(3)&lt;/script&gt;');
  });

  it('renders a page that says there is nothing yet for an empty period', () => {
    const out = renderReport({ ...book(), roundTrips: [], daily: [], guards: [], configs: [] });
    expect(out).toMatch(/^<!doctype html>[\s\S]*<\/html>\n$/);
    expect(out).toContain('Nothing to review yet');
    expect(out).toContain('No decision recorded a config in this period.');
    expect(out).toContain('No guard checked an entry in this period.');
    expect(out).not.toContain('<svg');
  });

  it('draws what it has: trips without days, days without trips', () => {
    const noDays = renderReport({ ...book(), daily: [] });
    expect(noDays).toContain('No trading days in this period yet.');
    expect(charts(noDays).map((c) => c.cls)).toEqual(['by-strategy', 'by-symbol']);
    expect(noDays).toContain('no trading days');
    const noTrips = renderReport({ ...book(), roundTrips: [] });
    expect(noTrips).toContain('No round trips in this period yet.');
    expect(charts(noTrips).map((c) => c.cls)).toEqual(['equity', 'drawdown', 'daily']);
  });
});

describe('renderReport over the sample book', () => {
  it.each([1, 2, 10, 250])('draws %s trading days with every point and no NaN', (days) => {
    const input = sampleReview(days);
    const html = renderReport(input);
    expect(html).not.toMatch(/NaN|Infinity|undefined/);
    const drawn = charts(html);
    expect(drawn.slice(0, 3).map((c) => c.declared)).toEqual([days, days, days]);
    for (const c of drawn) expect(c.pts, c.cls).toBe(c.declared);
    // a period across a new year labels its days with the year
    expect(html.includes('>2026-11-02</text>')).toBe(days === 250);
  });
});

describe('report formats', () => {
  it.each([[0, '0'], [999, '999'], [1_000, '1,000'], [-1_234_567, '-1,234,567'], [12_345_678_901, '12,345,678,901']])(
    'won(%s) = %s', (n, s) => expect(won(n)).toBe(s));
  it.each([
    [0, false, '0.00 %'], [5, false, '0.05 %'], [-521, false, '-5.21 %'], [262, true, '+2.62 %'],
    [10_000, false, '100.00 %'],
  ])(
    'pct(%s) = %s', (bp, signed, s) => expect(pct(bp, signed)).toBe(s));
  it.each([[45, '45s'], [600, '10m'], [3_900, '1h 05m'], [88_200, '1d 0h'], [266_400, '3d 2h']])(
    'holding(%s) = %s', (sec, s) => expect(holding(sec)).toBe(s));
});
