import { z } from 'zod';
import { krw, shares } from '../../domain/index.js';
import type { AccountSnapshot, BuyingPower, EpochMs, Holding, Krw, Shares, StockCode } from '../../domain/index.js';
import { amount, code, decimalPriceOrNone, priceOrNone, qty, text } from './wire.js';
import { invalidResponse } from '../errors.js';
import type { ParseContext } from './wire.js';
import { parseWire } from './wire.js';

/**
 * inquire-balance (docs/kis-wire.md §7.1): `output1` one row per holding lot — cash and margin lots
 * of one stock are separate rows — and `output2` an array with one summary object.
 */
const holdingRow = z.object({
  pdno: code,
  prdt_name: text,
  /** lot type (현금 cash, 자기융자 margin loan, …): with pdno, what makes a row unique */
  trad_dvsn_name: text.optional(),
  hldg_qty: qty,
  ord_psbl_qty: qty,
  pchs_amt: amount,
  pchs_avg_pric: decimalPriceOrNone,
  prpr: priceOrNone,
}).superRefine((r, ctx) => {
  // A row still held has a price and an average; a sold row (qty 0, kept until D+2) may show 0.
  if (r.hldg_qty > 0 && r.prpr <= 0) ctx.addIssue({ code: 'custom', path: ['prpr'], message: 'expected a positive price for a held lot' });
  if (r.hldg_qty > 0 && r.pchs_avg_pric <= 0) ctx.addIssue({ code: 'custom', path: ['pchs_avg_pric'], message: 'expected a positive average price for a held lot' });
});
/** Cash is never negative in a cash account (the daemon buys without margin, §7.5 nrcvb_*). */
const summaryRow = z.object({
  dnca_tot_amt: amount,
  prvs_rcdl_excc_amt: amount,
  tot_evlu_amt: amount,
});
const balancePage = z.object({
  output1: z.array(holdingRow),
  // One object in an array per the sheet; tolerate a bare object.
  output2: z.preprocess((v): unknown => (Array.isArray(v) ? v : [v]), z.array(summaryRow)),
});

/**
 * One row per stock and lot type (§7.1: cash and credit/loan lots of one stock are separate rows,
 * told apart by trad_dvsn_name); the same stock and lot twice would count a holding twice.
 * Rows at quantity 0 are ignored, as toAccountSnapshot drops them. Returns the index of the
 * first repeated row, or -1.
 */
function repeatedLot(rows: readonly BalanceHoldingRow[]): number {
  const seen = new Set<string>();
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    if (r === undefined || r.hldg_qty <= 0) continue;
    const key = `${r.pdno}\u0000${r.trad_dvsn_name ?? ''}`;
    if (seen.has(key)) return i;
    seen.add(key);
  }
  return -1;
}

export type BalanceHoldingRow = z.output<typeof holdingRow>;
export type BalanceSummary = z.output<typeof summaryRow>;

export function parseBalancePage(body: unknown, ctx: ParseContext): { holdings: BalanceHoldingRow[]; summary: BalanceSummary | null } {
  const page = parseWire(balancePage, body, ctx);
  checkHoldingRows(page.output1, ctx);
  return { holdings: page.output1, summary: page.output2[0] ?? null };
}

/**
 * Refuses (KIS_RESPONSE_INVALID) a stock and lot type listed twice: within one page here, and
 * across all pages of one balance call by the broker before it builds the snapshot.
 */
export function checkHoldingRows(rows: readonly BalanceHoldingRow[], ctx: ParseContext): void {
  const i = repeatedLot(rows);
  if (i >= 0) throw invalidResponse(ctx.endpoint, ctx.trId, ctx.status, `output1[${i}].pdno`, 'the same stock and lot type (trad_dvsn_name) listed twice');
}

/**
 * One Holding per stock. Lots are summed; the average is the summed purchase amount over the
 * summed quantity, rounded half-up to whole won (a single lot keeps KIS's own average, rounded
 * the same way). Rows at quantity 0 (sold, waiting for D+2, §13.12) are dropped.
 */
export function toAccountSnapshot(rows: readonly BalanceHoldingRow[], summary: BalanceSummary | null, at: EpochMs): AccountSnapshot {
  const bySymbol = new Map<StockCode, BalanceHoldingRow[]>();
  for (const r of rows) {
    if (r.hldg_qty <= 0) continue;
    const list = bySymbol.get(r.pdno) ?? [];
    list.push(r);
    bySymbol.set(r.pdno, list);
  }
  const holdings: Holding[] = [];
  for (const [symbol, lots] of bySymbol) {
    const first = lots[0];
    if (first === undefined) continue;
    const q = lots.reduce((s, l) => s + l.hldg_qty, 0);
    const sellable = lots.reduce((s, l) => s + l.ord_psbl_qty, 0);
    const amount = lots.reduce((s, l) => s + l.pchs_amt, 0);
    const avg: Krw = lots.length === 1 ? first.pchs_avg_pric : krw(Math.floor((2 * amount + q) / (2 * q)));
    holdings.push({ symbol, name: first.prdt_name, qty: shares(q), sellableQty: shares(sellable), avgPrice: avg, price: first.prpr });
  }
  return {
    holdings,
    cash: summary?.dnca_tot_amt ?? krw(0),
    settledCash: summary?.prvs_rcdl_excc_amt ?? krw(0),
    totalValue: summary?.tot_evlu_amt ?? krw(0),
    at,
  };
}

/** inquire-psbl-order `output` (§7.5): nrcvb_* = without margin debt, what a cash-only bot may use. */
const buyingPowerSchema = z.object({
  output: z.object({
    nrcvb_buy_amt: amount,
    nrcvb_buy_qty: qty,
    // "0" when no stock was asked for (PDNO "", §7.5)
    psbl_qty_calc_unpr: priceOrNone,
  }),
});

export function parseBuyingPower(body: unknown, ctx: ParseContext): BuyingPower {
  const o = parseWire(buyingPowerSchema, body, ctx).output;
  return { cash: o.nrcvb_buy_amt, maxQty: o.nrcvb_buy_qty, unitPrice: o.psbl_qty_calc_unpr };
}

/** inquire-psbl-sell (§7.7, live only): the sheet says `output1`, responses say `output`. */
const sellableSchema = z.object({
  output: z.object({ pdno: code, ord_psbl_qty: qty, cblc_qty: qty, pchs_avg_pric: decimalPriceOrNone }).optional(),
  output1: z.object({ pdno: code, ord_psbl_qty: qty, cblc_qty: qty, pchs_avg_pric: decimalPriceOrNone }).optional(),
}).refine((b) => b.output !== undefined || b.output1 !== undefined, { message: 'missing output', path: ['output'] });

export interface Sellable {
  symbol: StockCode;
  held: Shares;
  sellable: Shares;
  avgPrice: Krw;
}

export function parseSellable(body: unknown, ctx: ParseContext): Sellable {
  const b = parseWire(sellableSchema, body, ctx);
  const o = b.output ?? b.output1;
  if (o === undefined) throw new Error('unreachable: refined above');
  return { symbol: o.pdno, held: o.cblc_qty, sellable: o.ord_psbl_qty, avgPrice: o.pchs_avg_pric };
}
