import { z } from 'zod';
import { krw, kstDateOf, kstInstant, shares } from '../../domain/index.js';
import type { EpochMs, OrderAck, OrderType, Side, TradingDate, VenueOrder } from '../../domain/index.js';
import { branchNo, code, date, decimalWon, orderNo, originalOrderNo, qty, text, timeOrNull, won, yn } from './wire.js';
import type { ParseContext } from './wire.js';
import { parseWire } from './wire.js';

/**
 * order-cash / order-rvsecncl `output` (docs/kis-wire.md §7.2, §7.3): UPPERCASE keys in the examples,
 * lowercase on the rvsecncl sheet — read after lower-casing (§13.2).
 */
const ackSchema = z.object({
  output: z.object({
    krx_fwdg_ord_orgno: branchNo,
    odno: orderNo,
    ord_tmd: timeOrNull,
  }),
});

/** `now` stands in for ORD_TMD when KIS leaves it blank. */
export function parseOrderAck(body: unknown, now: EpochMs, ctx: ParseContext): OrderAck {
  const o = parseWire(ackSchema, body, ctx).output;
  return {
    venueOrderId: o.odno,
    branch: o.krx_fwdg_ord_orgno,
    acceptedAt: o.ord_tmd === null ? now : kstInstant(kstDateOf(now), o.ord_tmd),
  };
}

/** §8.2: sll_buy_dvsn_cd 01 sell, 02 buy. */
const side = z.enum(['01', '02']).transform((c): Side => (c === '01' ? 'sell' : 'buy'));
/**
 * §8.1: 01 market, 13/14 IOC/FOK market; everything else carries a price. The domain only knows
 * limit and market, so 03/04 (best-price limits) read as limit.
 */
const MARKET_CODES: ReadonlySet<string> = new Set(['01', '13', '14']);
function orderType(c: string): OrderType {
  return MARKET_CODES.has(c) ? 'market' : 'limit';
}

/**
 * inquire-daily-ccld `output1` (§7.4). The sheet spells the cancel quantity `cnc_cfrm_qty`,
 * responses `cncl_cfrm_qty` (§13.3): both are read. A new order's `orgn_odno` is "" in the
 * workbook's stock examples but "0000000000" in live captures, and `cncl_yn` is "", "N" or "Y"
 * (docs/kis-wire.md §7.4): only a real original number makes a row an amendment.
 */
const ccldRow = z.object({
  ord_dt: date,
  ord_gno_brno: branchNo,
  odno: orderNo,
  orgn_odno: originalOrderNo.optional(),
  ord_dvsn_cd: text,
  sll_buy_dvsn_cd: z.string().trim().pipe(side),
  pdno: code,
  prdt_name: text,
  ord_qty: qty,
  ord_unpr: won,
  ord_tmd: timeOrNull,
  tot_ccld_qty: qty,
  tot_ccld_amt: won,
  avg_prvs: decimalWon,
  rmn_qty: qty,
  cncl_yn: yn.optional(),
  cncl_cfrm_qty: qty.optional(),
  cnc_cfrm_qty: qty.optional(),
  rjct_qty: qty,
});
/**
 * Value checks (issue #8 §5), kept apart from the row's shape: prices and amounts never negative
 * (ord_unpr "0" = market or cancel row, avg_prvs "0" = no fill, §7.4), and a row with fills has
 * an average fill price.
 */
function ccldValues(r: { ord_unpr: number; tot_ccld_qty: number; tot_ccld_amt: number; avg_prvs: number }, ctx: z.RefinementCtx): void {
  for (const f of ['ord_unpr', 'tot_ccld_amt', 'avg_prvs'] as const) {
    if (r[f] < 0) ctx.addIssue({ code: 'custom', path: [f], message: 'expected a non-negative number' });
  }
  if (r.tot_ccld_qty > 0 && r.avg_prvs <= 0) ctx.addIssue({ code: 'custom', path: ['avg_prvs'], message: 'expected a positive average for a filled order' });
}
const ccldPage = z.object({ output1: z.array(ccldRow.superRefine(ccldValues)) });

export function parseDailyOrdersPage(body: unknown, ctx: ParseContext): VenueOrder[] {
  return parseWire(ccldPage, body, ctx).output1.map((r) => {
    const original = r.orgn_odno ?? null;
    return {
      date: r.ord_dt,
      venueOrderId: r.odno,
      originalOrderId: original,
      branch: r.ord_gno_brno,
      symbol: r.pdno,
      name: r.prdt_name,
      side: r.sll_buy_dvsn_cd,
      type: orderType(r.ord_dvsn_cd),
      isAmendment: original !== null,
      qty: r.ord_qty,
      price: r.ord_unpr,
      filledQty: r.tot_ccld_qty,
      filledValue: r.tot_ccld_amt,
      avgFillPrice: r.avg_prvs,
      remainingQty: r.rmn_qty,
      cancelledQty: r.cncl_cfrm_qty ?? r.cnc_cfrm_qty ?? shares(0),
      rejectedQty: r.rjct_qty,
      orderedAt: kstInstant(r.ord_dt, r.ord_tmd ?? '000000'),
    };
  });
}

/**
 * inquire-psbl-rvsecncl `output` (§7.6, live only): open orders with `psbl_qty` still
 * cancellable. It carries no order date, so the caller supplies today.
 */
const cancellableRow = z.object({
  ord_gno_brno: branchNo,
  odno: orderNo,
  orgn_odno: originalOrderNo.optional(),
  ord_dvsn_cd: text,
  sll_buy_dvsn_cd: z.string().trim().pipe(side),
  pdno: code,
  prdt_name: text,
  ord_qty: qty,
  ord_unpr: won,
  ord_tmd: timeOrNull,
  tot_ccld_qty: qty,
  tot_ccld_amt: won,
  psbl_qty: qty,
});
const cancellablePage = z.object({
  output: z.array(cancellableRow.superRefine((r, ctx) => {
    for (const f of ['ord_unpr', 'tot_ccld_amt'] as const) {
      if (r[f] < 0) ctx.addIssue({ code: 'custom', path: [f], message: 'expected a non-negative number' });
    }
  })),
});

export function parseCancellablePage(body: unknown, today: TradingDate, ctx: ParseContext): VenueOrder[] {
  return parseWire(cancellablePage, body, ctx).output.map((r) => {
    const original = r.orgn_odno ?? null;
    // No avg price in this output: the filled amount over the filled quantity, half-up.
    const avg = r.tot_ccld_qty > 0 ? krw(Math.floor((2 * r.tot_ccld_amt + r.tot_ccld_qty) / (2 * r.tot_ccld_qty))) : krw(0);
    return {
      date: today,
      venueOrderId: r.odno,
      originalOrderId: original,
      branch: r.ord_gno_brno,
      symbol: r.pdno,
      name: r.prdt_name,
      side: r.sll_buy_dvsn_cd,
      type: orderType(r.ord_dvsn_cd),
      isAmendment: original !== null,
      qty: r.ord_qty,
      price: r.ord_unpr,
      filledQty: r.tot_ccld_qty,
      filledValue: r.tot_ccld_amt,
      avgFillPrice: avg,
      remainingQty: r.psbl_qty,
      cancelledQty: shares(0),
      rejectedQty: shares(0),
      orderedAt: kstInstant(today, r.ord_tmd ?? '000000'),
    };
  });
}
