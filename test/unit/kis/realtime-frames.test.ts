import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeFrame, decryptPayload, FrameError, parseFillNotices, parseTradeTicks, splitRecords } from '../../../src/kis/index.js';

/** The recorded frames (test/fixtures/kis/ws-frames.json: workbook samples, docs/kis-wire.md §10) through the client's decoder. */
const F = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'fixtures', 'kis', 'ws-frames.json'), 'utf8')) as Record<string, unknown>;
const text = (k: string): string => F[k] as string;
const KEY = 'abcdefghijklmnopabcdefghijklmnop';
const IV = '0123456789abcdef';

describe('KIS WebSocket frames', () => {
  it('a trade frame: pipe header, 46 caret fields, the workbook values', () => {
    const f = decodeFrame(text('tradeFrame'));
    expect(f).toMatchObject({ kind: 'data', encrypted: false, trId: 'H0STCNT0', count: 1 });
    if (f.kind !== 'data') throw new Error('data frame expected');
    expect(parseTradeTicks(f.payload, f.count)).toEqual([{
      symbol: '005930', time: '093354', price: 71900, volume: 1, dayVolume: 3052507, open: 72100, high: 72400, low: 71700,
      ask1: 71900, bid1: 71800, date: '20230612', hourClass: '0',
    }]);
  });

  it('count 002: two records cut from one caret list', () => {
    const f = decodeFrame(text('tradeFrameTwoRecords'));
    if (f.kind !== 'data') throw new Error('data frame expected');
    const ticks = parseTradeTicks(f.payload, f.count);
    expect(ticks).toHaveLength(2);
    expect(ticks[1]).toEqual(ticks[0]);
    expect(() => splitRecords('a^b^c', 2)).toThrow(/3 fields do not make 2 equal records/);
  });

  it('the subscribe answer carries the AES key and IV; PINGPONG is a system frame kept verbatim', () => {
    const ack = decodeFrame(JSON.stringify(F.subscribeAckNotice));
    expect(ack).toMatchObject({ kind: 'system', trId: 'H0STCNI0', trKey: 'HTS ID', rtCd: '0', msgCd: 'OPSP0000', key: KEY, iv: IV });
    const raw = JSON.stringify(F.pingpong);
    expect(decodeFrame(raw)).toMatchObject({ kind: 'system', trId: 'PINGPONG', rtCd: null, raw });
  });

  it('encrypted notices (openssl-made) decrypt to the workbook plaintext and parse', () => {
    for (const [frame, plain] of [['noticeAckFrame', 'noticeAckPlain'], ['noticeFillFrame', 'noticeFillPlain']] as const) {
      const f = decodeFrame(text(frame));
      if (f.kind !== 'data') throw new Error('data frame expected');
      expect(f.encrypted).toBe(true);
      expect(decryptPayload(f.payload, KEY, IV)).toBe(text(plain));
    }
    const [ack] = parseFillNotices(text('noticeAckPlain'), 1);
    expect(ack).toMatchObject({ orderNo: '0000002891', side: 'buy', kind: 'new', symbol: '136480', fill: false, refused: false, qty: 1, price: 0 });
    const [fill] = parseFillNotices(text('noticeFillPlain'), 1);
    expect(fill).toEqual({
      account: '1234567801', orderNo: '0000002891', originalOrderNo: '', side: 'buy', kind: 'new', symbol: '136480', qty: 1, price: 3190,
      time: '094941', refused: false, fill: true, orderQty: 1, branch: '06010',
    });
  });

  it('bad input is refused with a reason, never a crash', () => {
    expect(() => decodeFrame('0|H0STCNT0')).toThrow(FrameError);
    expect(() => decodeFrame('0|H0STCNT0|abc|x')).toThrow(/count "abc"/);
    expect(() => decodeFrame('hello')).toThrow(/neither a data frame nor JSON/);
    expect(() => decodeFrame('{"body":{}}')).toThrow(/without header.tr_id/);
    expect(() => decryptPayload('AAAA', KEY, IV)).toThrow(/does not decrypt/);
    expect(() => decryptPayload('AAAA', 'short', IV)).toThrow(/32 bytes/);
    expect(() => parseTradeTicks('005930^1^2', 1)).toThrow(/3 fields, expected 46/);
    expect(() => parseFillNotices(text('noticeFillPlain').replace('^02^0^00', '^07^0^00'), 1)).toThrow(/SELN_BYOV_CLS "07"/);
  });
});
