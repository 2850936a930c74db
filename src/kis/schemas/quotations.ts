import { z } from 'zod';
import { kstDateOf, kstInstant } from '../../domain/index.js';
import type { BookLevel, DailyBar, EpochMs, OrderBook, Quote, QuoteStatus, StockCode } from '../../domain/index.js';
import { checkInsideLimits, date, dateOrNull, percentBp, price, priceOrNone, qty, text, timeOrNull, won, yn } from './wire.js';
import type { ParseContext } from './wire.js';
import { parseWire } from './wire.js';

/** inquire-price `output` (docs/kis-wire.md §6.1, fixture domestic-inquire-price.json). */
const priceSchema = z.object({
  output: z.object({
    stck_prpr: won,
    prdy_ctrt: percentBp,
    stck_oprc: won,
    stck_hgpr: won,
    stck_lwpr: won,
    stck_sdpr: won,
    stck_mxpr: won,
    stck_llam: won,
    aspr_unit: won,
    acml_vol: qty,
    acml_tr_pbmn: won,
    temp_stop_yn: yn.optional(),
    iscd_stat_cls_code: text.optional(),
    // status fields (§6.1): read as text so an unexpected value can never fail the quote an exit needs
    mrkt_warn_cls_code: text.optional(),
    vi_cls_code: text.optional(),
    invt_caful_yn: text.optional(),
    short_over_yn: text.optional(),
    sltr_yn: text.optional(),
    mang_issu_cls_code: text.optional(),
  }),
});

/**
 * Value checks (issue #8 §5): every price positive, the limits ordered, and the last, open, high,
 * low and base prices inside the day's limits. Open/high/low may be "0" before the first trade of
 * the day (⚠ assumed), so only a non-zero one is checked; traded value is never negative.
 */
const checkedPriceSchema = priceSchema.superRefine((b, ctx) => {
  const o = b.output;
  const at = (f: string): PropertyKey[] => ['output', f];
  for (const f of ['stck_prpr', 'stck_sdpr', 'stck_mxpr', 'stck_llam', 'aspr_unit'] as const) {
    if (o[f] <= 0) ctx.addIssue({ code: 'custom', path: at(f), message: 'expected a positive price' });
  }
  for (const f of ['stck_oprc', 'stck_hgpr', 'stck_lwpr', 'acml_tr_pbmn'] as const) {
    if (o[f] < 0) ctx.addIssue({ code: 'custom', path: at(f), message: 'expected a non-negative number' });
  }
  if (o.stck_llam > o.stck_mxpr) ctx.addIssue({ code: 'custom', path: at('stck_llam'), message: 'lower limit above the upper limit' });
  for (const f of ['stck_prpr', 'stck_sdpr', 'stck_oprc', 'stck_hgpr', 'stck_lwpr'] as const) {
    if (o[f] > 0) checkInsideLimits(ctx, at(f), o[f], o.stck_llam, o.stck_mxpr);
  }
});

/** '58' = 거래정지 (halted) in iscd_stat_cls_code (§6.1). */
const HALTED_STATUS = '58';

/** iscd_stat_cls_code (§6.1, sheet 주식현재가 시세): 51 관리종목 … 59 단기과열; 55 신용가능 and 57 증거금100% are no warnings. */
const WARNING_BY_STATUS: Record<string, QuoteStatus['warning']> = { '52': 'risk', '53': 'warning', '54': 'caution' };

/** A Y/N flag where anything but N or blank counts as set: an unknown value errs on the side of caution. */
const flagged = (v: string | undefined): boolean => v !== undefined && v.trim() !== '' && v.trim().toUpperCase() !== 'N';

function parseStatus(o: z.infer<typeof priceSchema>['output']): QuoteStatus {
  const code = o.iscd_stat_cls_code?.trim() || null;
  const warn = o.mrkt_warn_cls_code?.trim() ?? '';
  return {
    code,
    administrative: code === '51' || flagged(o.mang_issu_cls_code),
    warning: (code === null ? undefined : WARNING_BY_STATUS[code]) ?? null,
    // '00' = none; the other values are not documented (§6.1 ⚠), so any of them is a warning
    marketWarningCode: warn === '' || /^0+$/.test(warn) ? null : warn,
    investmentAttention: flagged(o.invt_caful_yn),
    shortTermOverheated: code === '59' || flagged(o.short_over_yn),
    liquidationTrading: flagged(o.sltr_yn),
    vi: flagged(o.vi_cls_code),
  };
}

export function parseQuote(body: unknown, symbol: StockCode, now: EpochMs, ctx: ParseContext): Quote {
  const o = parseWire(checkedPriceSchema, body, ctx).output;
  return {
    symbol,
    price: o.stck_prpr,
    open: o.stck_oprc,
    high: o.stck_hgpr,
    low: o.stck_lwpr,
    basePrice: o.stck_sdpr,
    upperLimit: o.stck_mxpr,
    lowerLimit: o.stck_llam,
    tick: o.aspr_unit,
    volume: o.acml_vol,
    tradedValue: o.acml_tr_pbmn,
    changeBp: o.prdy_ctrt,
    halted: o.temp_stop_yn === true || o.iscd_stat_cls_code === HALTED_STATUS,
    status: parseStatus(o),
    at: now,
  };
}

const LEVELS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] as const;
// An empty level is "0" (§6.2): a price may be 0 ("none") but never negative.
const levelShape: Record<string, typeof priceOrNone | typeof qty> = {};
for (const i of LEVELS) {
  levelShape[`askp${i}`] = priceOrNone;
  levelShape[`bidp${i}`] = priceOrNone;
  levelShape[`askp_rsqn${i}`] = qty;
  levelShape[`bidp_rsqn${i}`] = qty;
}

/** inquire-asking-price-exp-ccn `output1` (§6.2): 10 levels each side; empty levels are "0". */
const bookSchema = z.object({
  output1: z.object({ aspr_acpt_hour: timeOrNull.optional() }).extend(levelShape),
});

export function parseOrderBook(body: unknown, symbol: StockCode, now: EpochMs, ctx: ParseContext): OrderBook {
  const o = parseWire(bookSchema, body, ctx).output1 as Record<string, number> & { aspr_acpt_hour?: string | null };
  const side = (p: 'askp' | 'bidp'): BookLevel[] => {
    const levels: BookLevel[] = [];
    for (const i of LEVELS) {
      const price = o[`${p}${i}`];
      const q = o[`${p}_rsqn${i}`];
      if (price !== undefined && q !== undefined && price > 0) levels.push({ price, qty: q } as BookLevel);
    }
    return levels;
  };
  const hour = o.aspr_acpt_hour ?? null;
  return { symbol, asks: side('askp'), bids: side('bidp'), at: hour === null ? now : kstInstant(kstDateOf(now), hour) };
}

/**
 * inquire-daily-itemchartprice `output2` (§6.3): newest first, at most 100 rows. KIS pads short
 * ranges with blank rows ⚠, so a row without a date is skipped; a dated row must be complete.
 */
const BAR_FIELDS = ['stck_oprc', 'stck_hgpr', 'stck_lwpr', 'stck_clpr', 'acml_vol', 'acml_tr_pbmn'] as const;
const barRow = z.object({
  stck_bsop_date: dateOrNull.optional(),
  stck_oprc: won.optional(),
  stck_hgpr: won.optional(),
  stck_lwpr: won.optional(),
  stck_clpr: won.optional(),
  acml_vol: qty.optional(),
  acml_tr_pbmn: won.optional(),
}).superRefine((r, ctx) => {
  if (r.stck_bsop_date === null || r.stck_bsop_date === undefined) return;
  for (const f of BAR_FIELDS) if (r[f] === undefined) ctx.addIssue({ code: 'custom', path: [f], message: 'missing in a dated row' });
  // A dated bar's prices are positive; volume and value are never negative (issue #8 §5).
  for (const f of ['stck_oprc', 'stck_hgpr', 'stck_lwpr', 'stck_clpr'] as const) {
    const v = r[f];
    if (v !== undefined && v <= 0) ctx.addIssue({ code: 'custom', path: [f], message: 'expected a positive price' });
  }
  if (r.acml_tr_pbmn !== undefined && r.acml_tr_pbmn < 0) ctx.addIssue({ code: 'custom', path: ['acml_tr_pbmn'], message: 'expected a non-negative amount' });
});
const barsSchema = z.object({ output2: z.array(barRow).nullish() });

/** The rows of one call, in the order KIS sent them (newest first). */
export function parseDailyBarsPage(body: unknown, symbol: StockCode, ctx: ParseContext): DailyBar[] {
  const rows = parseWire(barsSchema, body, ctx).output2 ?? [];
  const bars: DailyBar[] = [];
  for (const r of rows) {
    const { stck_bsop_date: d, stck_oprc: open, stck_hgpr: high, stck_lwpr: low, stck_clpr: close, acml_vol: volume, acml_tr_pbmn: value } = r;
    if (d === null || d === undefined) continue;
    if (open === undefined || high === undefined || low === undefined || close === undefined || volume === undefined || value === undefined) continue;
    bars.push({ symbol, date: d, open, high, low, close, volume, value });
  }
  return bars;
}

/** inquire-time-itemchartprice `output2` (§6.4): today's minute bars, newest first. */
const minuteSchema = z.object({
  output2: z.array(z.object({
    stck_bsop_date: date,
    stck_cntg_hour: timeOrNull,
    stck_prpr: price,
    stck_oprc: price,
    stck_hgpr: price,
    stck_lwpr: price,
    cntg_vol: qty,
  })),
});

export interface MinuteBar {
  symbol: StockCode;
  at: EpochMs;
  open: DailyBar['open'];
  high: DailyBar['high'];
  low: DailyBar['low'];
  close: DailyBar['close'];
  volume: DailyBar['volume'];
}

export function parseMinuteBars(body: unknown, symbol: StockCode, ctx: ParseContext): MinuteBar[] {
  return parseWire(minuteSchema, body, ctx).output2
    .map((r) => ({
      symbol, at: kstInstant(r.stck_bsop_date, r.stck_cntg_hour ?? '000000'), open: r.stck_oprc, high: r.stck_hgpr,
      low: r.stck_lwpr, close: r.stck_prpr, volume: r.cntg_vol,
    }))
    .sort((a, b) => a.at - b.at);
}
