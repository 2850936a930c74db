import { describe, expect, it } from 'vitest';
import { kstInstant, tradingDate } from '../../../src/domain/index.js';
import { parseCancellablePage, parseDailyOrdersPage, parseOrderAck } from '../../../src/kis/schemas/orders.js';
import { lowerKeys } from '../../../src/kis/schemas/wire.js';

/**
 * The shapes real KIS sends for one order (docs/kis-wire.md §7.4): a new order's
 * orgn_odno is blank in the workbook's stock examples but "0000000000" in live captures, and
 * cncl_yn is "", "N" or "Y". Order numbers arrive padded or not.
 */
const ctx = { endpoint: 'test', trId: 'TR', status: 200 };
const row = {
  ord_dt: '20260312', ord_gno_brno: '06010', odno: '0000000007', ord_dvsn_cd: '00', sll_buy_dvsn_cd: '02',
  pdno: '005930', prdt_name: 'x', ord_qty: '10', ord_unpr: '70000', ord_tmd: '090000', tot_ccld_qty: '10', tot_ccld_amt: '700000',
  avg_prvs: '70000', rmn_qty: '0', cncl_cfrm_qty: '0', rjct_qty: '0',
};

describe('daily-ccld rows of a new order, in every shape KIS sends', () => {
  it.each([
    ['blank orgn_odno, blank cncl_yn (workbook stock example)', { orgn_odno: '', cncl_yn: '' }],
    ['zero-filled orgn_odno, cncl_yn N (live captures)', { orgn_odno: '0000000000', cncl_yn: 'N' }],
    ['zero-filled orgn_odno, blank cncl_yn', { orgn_odno: '0000000000', cncl_yn: '' }],
    ['short zero orgn_odno', { orgn_odno: '0', cncl_yn: 'N' }],
    ['no orgn_odno field', {}],
  ])('%s is a new order, not an amendment', (_name, shape) => {
    const [v] = parseDailyOrdersPage({ output1: [{ ...row, ...shape }] }, ctx);
    expect(v?.isAmendment).toBe(false);
    expect(v?.originalOrderId).toBeNull();
  });

  it('a row pointing at a real original order is an amendment, with the original number padded', () => {
    const [v] = parseDailyOrdersPage({ output1: [{ ...row, odno: '8', orgn_odno: '7', cncl_yn: 'Y' }] }, ctx);
    expect(v).toMatchObject({ isAmendment: true, originalOrderId: '0000000007', venueOrderId: '0000000008' });
  });

  it('the cancellable-orders list reads zero-filled orgn_odno the same way', () => {
    const r = {
      ord_gno_brno: '06010', odno: '0000000007', orgn_odno: '0000000000', ord_dvsn_cd: '00', sll_buy_dvsn_cd: '02', pdno: '005930',
      prdt_name: 'x', ord_qty: '10', ord_unpr: '70000', ord_tmd: '090000', tot_ccld_qty: '0', tot_ccld_amt: '0', psbl_qty: '10',
    };
    const [v] = parseCancellablePage({ output: [r] }, tradingDate('20260312'), ctx);
    expect(v?.isAmendment).toBe(false);
  });
});

describe('order numbers compare as numbers', () => {
  const now = kstInstant(tradingDate('20260312'), '140000');
  it('an unpadded paper acknowledgement becomes the ten-digit number the inquiries use', () => {
    const ack = parseOrderAck(lowerKeys({ output: { KRX_FWDG_ORD_ORGNO: '950', ODNO: '51378', ORD_TMD: '140215' } }), now, ctx);
    expect(ack.venueOrderId).toBe('0000051378');
    expect(ack.branch).toBe('00950');
  });

  it('inquiry rows are padded the same way', () => {
    const [v] = parseDailyOrdersPage({ output1: [{ ...row, odno: '51378', ord_gno_brno: '950', orgn_odno: '' }] }, ctx);
    expect(v?.venueOrderId).toBe('0000051378');
    expect(v?.branch).toBe('00950');
  });

  it('refuses an order number that is not digits', () => {
    expect(() => parseOrderAck(lowerKeys({ output: { KRX_FWDG_ORD_ORGNO: '06010', ODNO: 'A1', ORD_TMD: '' } }), now, ctx)).toThrow(/odno/);
  });
});
