import { z } from 'zod';
import { krw, stockCode } from '../../domain/index.js';
import type { RankingExclusions, RankingKind, RankingRow, StockCode } from '../../domain/index.js';
import { amount, int, percentBp, percentBpOrNull, price, qty, text } from './wire.js';
import type { ParseContext } from './wire.js';
import { parseWire } from './wire.js';

/**
 * volume-rank and ranking/fluctuation `output` (docs/kis-wire.md §6.5, §6.6), max 30 rows. The two
 * name the stock code differently: volume → `mksc_shrn_iscd`, fluctuation → `stck_shrn_iscd`.
 * The volume sheet names the array `Output` (§13.2): keys are lower-cased before parsing.
 */
const volumeRow = z.object({
  data_rank: int,
  mksc_shrn_iscd: text,
  hts_kor_isnm: text,
  stck_prpr: price,
  prdy_ctrt: percentBp,
  acml_vol: qty,
  acml_tr_pbmn: amount,
  vol_inrt: percentBpOrNull.optional(),
});
const fluctuationRow = z.object({
  data_rank: int,
  stck_shrn_iscd: text,
  hts_kor_isnm: text,
  stck_prpr: price,
  prdy_ctrt: percentBp,
  acml_vol: qty,
});

const volumeSchema = z.object({ output: z.array(volumeRow) });
const fluctuationSchema = z.object({ output: z.array(fluctuationRow) });

export interface ParsedRanking {
  rows: RankingRow[];
  /** codes that are not KRX short codes (skipped, so one odd row does not sink a scan) */
  skipped: string[];
}

function toCode(s: string): StockCode | null {
  try {
    return stockCode(s);
  } catch {
    return null;
  }
}

export function parseRanking(kind: RankingKind, body: unknown, ctx: ParseContext): ParsedRanking {
  const rows: RankingRow[] = [];
  const skipped: string[] = [];
  if (kind === 'volume') {
    for (const r of parseWire(volumeSchema, body, ctx).output) {
      const symbol = toCode(r.mksc_shrn_iscd);
      if (symbol === null) { skipped.push(r.mksc_shrn_iscd); continue; }
      rows.push({
        rank: r.data_rank, symbol, name: r.hts_kor_isnm, price: r.stck_prpr, changeBp: r.prdy_ctrt, volume: r.acml_vol,
        tradedValue: r.acml_tr_pbmn, volumeIncreaseBp: r.vol_inrt ?? null,
      });
    }
  } else {
    for (const r of parseWire(fluctuationSchema, body, ctx).output) {
      const symbol = toCode(r.stck_shrn_iscd);
      if (symbol === null) { skipped.push(r.stck_shrn_iscd); continue; }
      rows.push({
        rank: r.data_rank, symbol, name: r.hts_kor_isnm, price: r.stck_prpr, changeBp: r.prdy_ctrt, volume: r.acml_vol,
        // The fluctuation ranking reports no traded value (§6.6): price × volume estimates it.
        tradedValue: krw(r.stck_prpr * r.acml_vol), volumeIncreaseBp: null,
      });
    }
  }
  return { rows, skipped };
}

/**
 * volume-rank FID_TRGT_EXLS_CLS_CODE: "1 or 0 10자리 (차례대로 투자위험/경고/주의 관리종목 정리매매
 * 불성실공시 우선주 거래정지 ETF ETN 신용주문불가 SPAC)" (workbook sheet 거래량순위, docs/kis-wire.md §6.5).
 */
const EXCLUSION_POSITIONS = [
  'investmentWarning', 'administrative', 'liquidationTrading', 'unfaithfulDisclosure', 'preferred', 'halted', 'etf', 'etn',
  'creditNotAllowed', 'spac',
] as const;
// Every kind has a position and no position is unnamed: a new kind must be placed deliberately.
type Unplaced = Exclude<keyof RankingExclusions, (typeof EXCLUSION_POSITIONS)[number]>;
const allPlaced: [Unplaced] extends [never] ? true : never = true;
void allPlaced;

/** The ten-character exclusion code for the kinds to leave out; none given = "0000000000" (exclude nothing). */
export function toExclusionCode(exclude: RankingExclusions | undefined): string {
  return EXCLUSION_POSITIONS.map((k) => (exclude?.[k] === true ? '1' : '0')).join('');
}
