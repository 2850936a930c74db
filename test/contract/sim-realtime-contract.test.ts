import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeFrame, decryptPayload, parseFillNotices, parseTradeTicks } from '../../src/kis/index.js';
import { NOTICE_COLUMNS, TRADE_COLUMNS, dataFrame, noticeRecord, tradeRecord } from '../../src/sim/realtime-wire.js';

/**
 * The WebSocket contract (docs/kis-wire.md §10). The simulator's encoder and the client's decoder
 * are written apart; both are held to the official column lists recorded in
 * test/fixtures/kis/ws-frames.json (from the official samples), and the client to the workbook's
 * recorded frames: a field the simulator put in the wrong place, or the client read from the wrong
 * place, fails here by NAME, not by the other side's index.
 */
const F = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'kis', 'ws-frames.json'), 'utf8')) as {
  columns: { H0STCNT0: string[]; H0STCNI0: string[] };
  tradeFrame: string;
  noticeFillPlain: string;
  noticeFillFrame: string;
};
const byName = (columns: string[], record: string): Record<string, string> => {
  const fields = record.split('^');
  expect(fields).toHaveLength(columns.length);
  return Object.fromEntries(columns.map((c, i) => [c, fields[i] ?? '']));
};

describe('contract: KIS WebSocket frames', () => {
  it('the simulator lays its records out by the official column lists', () => {
    expect([...TRADE_COLUMNS]).toEqual(F.columns.H0STCNT0);
    expect([...NOTICE_COLUMNS]).toEqual(F.columns.H0STCNI0);
  });

  it('the recorded trade frame, read by name and by the client, agree', () => {
    const f = decodeFrame(F.tradeFrame);
    if (f.kind !== 'data') throw new Error('data frame expected');
    const named = byName(F.columns.H0STCNT0, f.payload);
    const [t] = parseTradeTicks(f.payload, f.count);
    expect(t).toEqual({
      symbol: named.MKSC_SHRN_ISCD, time: named.STCK_CNTG_HOUR, price: Number(named.STCK_PRPR), volume: Number(named.CNTG_VOL),
      dayVolume: Number(named.ACML_VOL), open: Number(named.STCK_OPRC), high: Number(named.STCK_HGPR), low: Number(named.STCK_LWPR),
      ask1: Number(named.ASKP1), bid1: Number(named.BIDP1), date: named.BSOP_DATE, hourClass: named.HOUR_CLS_CODE,
    });
  });

  it('a simulator trade frame: every field where the official list puts it, and the client reads the same', () => {
    const values = {
      symbol: '123456', time: '101500', date: '20260312', price: 50_100, base: 50_000, open: 49_900, high: 50_300, low: 49_800,
      ask1: 50_200, bid1: 50_100, volume: 7, dayVolume: 12_345, dayValue: 617_000_000, hourClass: '0',
    };
    const frame = dataFrame('H0STCNT0', [tradeRecord(values), tradeRecord({ ...values, price: 50_200, volume: 3 })], null);
    expect(frame.startsWith('0|H0STCNT0|002|')).toBe(true);
    const f = decodeFrame(frame);
    if (f.kind !== 'data') throw new Error('data frame expected');
    const fields = f.payload.split('^');
    const first = byName(F.columns.H0STCNT0, fields.slice(0, 46).join('^'));
    expect(first).toMatchObject({
      MKSC_SHRN_ISCD: '123456', STCK_CNTG_HOUR: '101500', STCK_PRPR: '50100', PRDY_VRSS_SIGN: '2', PRDY_VRSS: '100', PRDY_CTRT: '0.20',
      STCK_OPRC: '49900', STCK_HGPR: '50300', STCK_LWPR: '49800', ASKP1: '50200', BIDP1: '50100', CNTG_VOL: '7', ACML_VOL: '12345',
      BSOP_DATE: '20260312', HOUR_CLS_CODE: '0',
    });
    const ticks = parseTradeTicks(f.payload, f.count);
    expect(ticks.map((t) => [t.symbol, t.price, t.volume, t.dayVolume, t.date])).toEqual([['123456', 50_100, 7, 12_345, '20260312'], ['123456', 50_200, 3, 12_345, '20260312']]);
  });

  it('a simulator fill notice: encrypted, laid out by name, and what the client reads', () => {
    const cipher = { key: 'abcdefghijklmnopabcdefghijklmnop', iv: '0123456789abcdef' };
    const plain = noticeRecord({
      custId: 'simhts', account: '5000000001', orderNo: '0000012345', originalOrderNo: '', side: 'sell', kind: 'new', orderKind: '00',
      symbol: '123456', name: '모의종목', qty: 3, price: 50_100, time: '101501', refused: false, fill: true, branch: '00950', orderQty: 10,
      orderPrice: 50_000,
    });
    expect(byName(F.columns.H0STCNI0, plain)).toMatchObject({
      CUST_ID: 'simhts', ACNT_NO: '5000000001', ODER_NO: '0000012345', SELN_BYOV_CLS: '01', RCTF_CLS: '0', STCK_SHRN_ISCD: '123456',
      CNTG_QTY: '0000000003', CNTG_UNPR: '000050100', STCK_CNTG_HOUR: '101501', RFUS_YN: '0', CNTG_YN: '2', BRNC_NO: '00950', ODER_QTY: '000000010',
      CNTG_ISNM40: '모의종목', ODER_PRC: '000050000',
    });
    // the workbook's own fill sample agrees with the official list over the first 17 columns
    const sample = byName(F.columns.H0STCNI0.slice(0, 23), F.noticeFillPlain);
    expect(sample).toMatchObject({ ODER_NO: '0000002891', SELN_BYOV_CLS: '02', CNTG_QTY: '0000000001', CNTG_UNPR: '000003190', CNTG_YN: '2', ODER_QTY: '000000001' });
    const frame = dataFrame('H0STCNI9', [plain], cipher);
    const f = decodeFrame(frame);
    if (f.kind !== 'data') throw new Error('data frame expected');
    expect(f.encrypted).toBe(true);
    expect(f.payload).not.toContain('^');
    expect(parseFillNotices(decryptPayload(f.payload, cipher.key, cipher.iv), f.count)).toEqual([{
      account: '5000000001', orderNo: '0000012345', originalOrderNo: '', side: 'sell', kind: 'new', symbol: '123456', qty: 3, price: 50_100,
      time: '101501', refused: false, fill: true, orderQty: 10, branch: '00950',
    }]);
  });

  it('the simulator encrypts as openssl does: the recorded notice frame comes out byte for byte', () => {
    const cipher = { key: 'abcdefghijklmnopabcdefghijklmnop', iv: '0123456789abcdef' };
    expect(dataFrame('H0STCNI0', [F.noticeFillPlain], cipher)).toBe(F.noticeFillFrame);
  });
});
