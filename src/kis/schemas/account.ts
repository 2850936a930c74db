import { z } from 'zod';
import { krw, shares } from '../../domain/index.js';
import type { AccountSnapshot, BuyingPower, EpochMs, Holding, Krw, Shares, StockCode } from '../../domain/index.js';
import { code, decimalWon, qty, text, won } from './wire.js';
import type { ParseContext } from './wire.js';
import { parseWire } from './wire.js';

/**
 * inquire-balance (REFERENCE.md §7.1): `output1` one row per holding lot — cash and margin lots
 * of one stock are separate rows — and `output2` an array with one summary object.
 */
const holdingRow = z.object({
  pdno: code,
  prdt_name: text,
  hldg_qty: qty,
  ord_psbl_qty: qty,
  pchs_amt: won,
  pchs_avg_pric: decimalWon,
  prpr: won,
});
const summaryRow = z.object({
  dnca_tot_amt: won,
  prvs_rcdl_excc_amt: won,
  tot_evlu_amt: won,
});
const balancePage = z.object({
  output1: z.array(holdingRow),
  // One object in an array per the sheet; tolerate a bare object.
  output2: z.union([z.array(summaryRow), summaryRow.transform((o) => [o])]),
});

export type BalanceHoldingRow = z.output<typeof holdingRow>;
export type BalanceSummary = z.output<typeof summaryRow>;

export function parseBalancePage(body: unknown, ctx: ParseContext): { holdings: BalanceHoldingRow[]; summary: BalanceSummary | null } {
  const page = parseWire(balancePage, body, ctx);
  return { holdings: page.output1, summary: page.output2[0] ?? null };
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
    nrcvb_buy_amt: won,
    nrcvb_buy_qty: qty,
    psbl_qty_calc_unpr: won,
  }),
});

export function parseBuyingPower(body: unknown, ctx: ParseContext): BuyingPower {
  const o = parseWire(buyingPowerSchema, body, ctx).output;
  return { cash: o.nrcvb_buy_amt, maxQty: o.nrcvb_buy_qty, unitPrice: o.psbl_qty_calc_unpr };
}

/** inquire-psbl-sell (§7.7, live only): the sheet says `output1`, responses say `output`. */
const sellableSchema = z.object({
  output: z.object({ pdno: code, ord_psbl_qty: qty, cblc_qty: qty, pchs_avg_pric: decimalWon }).optional(),
  output1: z.object({ pdno: code, ord_psbl_qty: qty, cblc_qty: qty, pchs_avg_pric: decimalWon }).optional(),
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
