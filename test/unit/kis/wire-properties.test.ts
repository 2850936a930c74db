import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError, kstInstant, stockCode, tradingDate } from '../../../src/domain/index.js';
import { parseBalancePage } from '../../../src/kis/schemas/account.js';
import { parseDailyOrdersPage } from '../../../src/kis/schemas/orders.js';
import { parseQuote } from '../../../src/kis/schemas/quotations.js';
import { scaledDecimal } from '../../../src/kis/schemas/wire.js';

/**
 * Property tests of the wire parsers (issue 14, chaos "Bad input"): for any string in a number field
 * the parser either returns the number the string means or throws KIS_RESPONSE_INVALID naming the
 * field — never NaN, a fraction of a won, a negative price, or some other number.
 */
const ctx = { endpoint: 'test', trId: 'TR', status: 200 };
const now = kstInstant(tradingDate('20260312'), '140000');
const RUNS = { numRuns: 300, seed: 20261207 };

const PRICE: Record<string, string> = {
  stck_prpr: '72300', prdy_ctrt: '0.70', stck_oprc: '71900', stck_hgpr: '72600', stck_lwpr: '71700', stck_sdpr: '71800',
  stck_mxpr: '93300', stck_llam: '50300', aspr_unit: '100', acml_vol: '8412556', acml_tr_pbmn: '606965915400',
};

/** Strings KIS might plausibly garble a number into, and some it never would. */
const garbled = fc.oneof(
  fc.string(),
  fc.stringMatching(/^[ +-]?\d{0,20}(\.\d{0,6})?[ ]?$/),
  fc.constantFrom('', ' ', 'NaN', 'Infinity', '-0', '0x10', '1e3', '1,000', '72,300', '١٢٣', '--5', '+', '.', '9'.repeat(30)),
);

/**
 * What a decimal string means as a whole number, exactly, or null when it is not one (the oracle:
 * BigInt, no floats). "" means `empty` (KIS sends "" for "no value": 0 in amounts and quantities).
 */
function meaning(s: string, empty: bigint | null = 0n): bigint | null {
  if (s.trim() === '') return empty;
  const m = /^([+-])?(\d*)(?:\.(\d*))?$/.exec(s.trim());
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return null;
  if (/[1-9]/.test(m[3] ?? '')) return null;
  const v = BigInt(m[2] === '' ? '0' : m[2]!);
  return m[1] === '-' ? -v : v;
}

function outcome<T>(fn: () => T): { value: T } | { error: AppError } {
  try {
    return { value: fn() };
  } catch (err) {
    if (err instanceof AppError) return { error: err };
    throw err;
  }
}

describe('wire parsers under arbitrary input', () => {
  it('scaledDecimal is exact or null: never NaN, never a fraction', () => {
    fc.assert(fc.property(garbled, fc.integer({ min: 0, max: 4 }), (s, scale) => {
      const v = scaledDecimal(s.trim(), scale);
      if (v === null) return;
      expect(Number.isSafeInteger(v)).toBe(true);
      // the string it came from, read back at that scale, is within half a unit
      const back = Number(s.trim()) * 10 ** scale;
      if (Number.isFinite(back) && Math.abs(back) < 2 ** 50) expect(Math.abs(back - v)).toBeLessThanOrEqual(0.5 + 1e-6 * Math.abs(back));
    }), RUNS);
  });

  it('a quote\'s price is the whole positive number the string means, or the field is named', () => {
    fc.assert(fc.property(garbled, (s) => {
      const r = outcome(() => parseQuote({ output: { ...PRICE, stck_prpr: s, stck_mxpr: '9'.repeat(15), stck_llam: '1' } }, stockCode('005930'), now, ctx));
      const want = meaning(s, null);
      if ('value' in r) {
        expect(want).not.toBeNull();
        expect(want! > 0n).toBe(true);
        expect(r.value.price).toBe(Number(want));
      } else {
        expect(r.error.code).toBe('KIS_RESPONSE_INVALID');
        expect(r.error.message).toContain('stck_prpr');
      }
    }), RUNS);
  });

  it('a balance row\'s quantity is a whole number ≥ 0, or the field is named', () => {
    const row = { pdno: '005930', prdt_name: '삼성전자', ord_psbl_qty: '0', pchs_avg_pric: '70000.0000', prpr: '72300', evlu_amt: '723000', pchs_amt: '700000' };
    const totals = { dnca_tot_amt: '1000000', nxdy_excc_amt: '1000000', prvs_rcdl_excc_amt: '1000000', tot_evlu_amt: '1723000', scts_evlu_amt: '723000', nass_amt: '1723000' };
    fc.assert(fc.property(garbled, (s) => {
      const r = outcome(() => parseBalancePage({ output1: [{ ...row, hldg_qty: s }], output2: [totals] }, ctx));
      const want = meaning(s);
      if ('value' in r) {
        expect(want === null ? false : want >= 0n).toBe(true);
        expect(r.value.holdings.map((h) => h.hldg_qty)).toEqual([Number(want)]);
      } else {
        expect(r.error.code).toBe('KIS_RESPONSE_INVALID');
        expect(r.error.message).toContain('hldg_qty');
      }
    }), RUNS);
  });

  it('a daily-orders row\'s filled quantity and value are what the strings mean, or the field is named', () => {
    const row = {
      ord_dt: '20260312', ord_gno_brno: '06010', odno: '0000117057', orgn_odno: '', sll_buy_dvsn_cd: '02', pdno: '005930', prdt_name: '삼성전자',
      ord_qty: '10', ord_unpr: '72300', ord_tmd: '100001', tot_ccld_qty: '10', avg_prvs: '72300', tot_ccld_amt: '723000', rmn_qty: '0',
      rjct_qty: '0', cncl_yn: 'N', ord_dvsn_cd: '00', ccld_cndt_name: '없음', excg_id_dvsn_cd: 'KRX', cncl_cfrm_qty: '0',
    };
    fc.assert(fc.property(garbled, garbled, (q, amt) => {
      const r = outcome(() => parseDailyOrdersPage({ output1: [{ ...row, tot_ccld_qty: q, tot_ccld_amt: amt }], output2: {} }, ctx));
      if ('value' in r) {
        const [order] = r.value;
        const wantQ = meaning(q);
        const wantV = meaning(amt);
        expect(order?.filledQty).toBe(Number(wantQ));
        expect(order?.filledValue).toBe(Number(wantV));
        expect(order!.filledQty >= 0 && order!.filledValue >= 0).toBe(true);
      } else {
        expect(r.error.code).toBe('KIS_RESPONSE_INVALID');
        expect(r.error.message).toMatch(/tot_ccld_qty|tot_ccld_amt|avg_prvs/);
      }
    }), RUNS);
  });
});
