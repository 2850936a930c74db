import { createDecipheriv } from 'node:crypto';

/**
 * Decoding what the KIS WebSocket sends (docs/kis-wire.md §10): JSON system messages (subscribe
 * answers, PINGPONG) and pipe-separated data frames `<0|1>|<tr_id>|<count>|<payload>` whose payload
 * holds `count` records of caret-separated fields, AES-256-CBC + Base64 when the first character is 1.
 * Pure functions, no socket: realtime.ts drives them, the contract test feeds them recorded frames.
 * The simulator has its own encoder (src/sim/realtime-wire.ts) and never imports this file.
 */

export type FrameProblem = 'frame-invalid' | 'decrypt';

export class FrameError extends Error {
  constructor(readonly problem: FrameProblem, message: string) {
    super(message);
    this.name = 'FrameError';
  }
}

export interface DataFrame {
  kind: 'data';
  encrypted: boolean;
  trId: string;
  count: number;
  payload: string;
}

export interface SystemFrame {
  kind: 'system';
  trId: string;
  trKey: string | null;
  /** PINGPONG carries no body */
  rtCd: string | null;
  msgCd: string | null;
  msg: string | null;
  /** AES key and IV of a subscribe answer (§10.1) */
  key: string | null;
  iv: string | null;
  /** the frame as received: a PINGPONG is echoed verbatim (§10.3) */
  raw: string;
}

export type Frame = DataFrame | SystemFrame;

function clip(text: string): string {
  return text.length > 120 ? `${text.slice(0, 120)}…` : text;
}

function str(o: unknown, key: string): string | null {
  if (typeof o !== 'object' || o === null) return null;
  const v = (o as Record<string, unknown>)[key];
  return typeof v === 'string' ? v : null;
}

function obj(o: unknown, key: string): unknown {
  if (typeof o !== 'object' || o === null) return null;
  return (o as Record<string, unknown>)[key] ?? null;
}

/** One WebSocket text message. Throws FrameError('frame-invalid') naming what is wrong. */
export function decodeFrame(text: string): Frame {
  const first = text[0];
  if (first === '0' || first === '1') {
    // the payload itself never holds '|', but split only three times in case a name field does
    const a = text.indexOf('|');
    const b = text.indexOf('|', a + 1);
    const c = text.indexOf('|', b + 1);
    if (a !== 1 || b < 0 || c < 0) throw new FrameError('frame-invalid', `data frame without 4 '|' parts: ${clip(text)}`);
    const trId = text.slice(a + 1, b);
    const countText = text.slice(b + 1, c);
    if (!/^[A-Z0-9]{4,12}$/.test(trId)) throw new FrameError('frame-invalid', `data frame tr_id "${trId}" is not a TR_ID: ${clip(text)}`);
    if (!/^\d{1,4}$/.test(countText) || Number(countText) < 1) throw new FrameError('frame-invalid', `data frame count "${countText}" is not a number ≥ 1: ${clip(text)}`);
    return { kind: 'data', encrypted: first === '1', trId, count: Number(countText), payload: text.slice(c + 1) };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new FrameError('frame-invalid', `neither a data frame nor JSON: ${clip(text)}`);
  }
  const header = obj(json, 'header');
  const trId = str(header, 'tr_id');
  if (trId === null) throw new FrameError('frame-invalid', `system message without header.tr_id: ${clip(text)}`);
  const body = obj(json, 'body');
  const output = obj(body, 'output');
  return {
    kind: 'system', trId, trKey: str(header, 'tr_key'), rtCd: str(body, 'rt_cd'), msgCd: str(body, 'msg_cd'), msg: str(body, 'msg1'),
    key: str(output, 'key'), iv: str(output, 'iv'), raw: text,
  };
}

/** Base64 AES-256-CBC with PKCS#7 padding; key (32) and IV (16) are ASCII strings used as bytes (§10.2). */
export function decryptPayload(payload: string, key: string, iv: string): string {
  const k = Buffer.from(key, 'utf8');
  const v = Buffer.from(iv, 'utf8');
  if (k.length !== 32 || v.length !== 16) throw new FrameError('decrypt', `AES key must be 32 bytes and IV 16, got ${k.length} and ${v.length}`);
  try {
    const d = createDecipheriv('aes-256-cbc', k, v);
    return Buffer.concat([d.update(Buffer.from(payload, 'base64')), d.final()]).toString('utf8');
  } catch (err) {
    throw new FrameError('decrypt', `payload does not decrypt with the subscribe answer's key and IV: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/**
 * The `count` records of a payload. Records are concatenated with the same '^' as their fields
 * (§10.2), so the field list is cut into `count` equal chunks; a list that does not divide is refused.
 */
export function splitRecords(payload: string, count: number): string[][] {
  const fields = payload.split('^');
  if (fields.length % count !== 0) throw new FrameError('frame-invalid', `${fields.length} fields do not make ${count} equal records`);
  const size = fields.length / count;
  const out: string[][] = [];
  for (let i = 0; i < count; i++) out.push(fields.slice(i * size, (i + 1) * size));
  return out;
}

/** H0STCNT0, one trade (§10.4): the fields a trading daemon reads, by their place in the record. */
export interface TradeTick {
  symbol: string;
  /** HHMMSS, KST */
  time: string;
  price: number;
  /** this trade's volume */
  volume: number;
  /** the day's accumulated volume */
  dayVolume: number;
  open: number;
  high: number;
  low: number;
  ask1: number;
  bid1: number;
  /** BSOP_DATE, YYYYMMDD */
  date: string;
  /** HOUR_CLS_CODE: '0' continuous trading; other codes are expected (auction) prices */
  hourClass: string;
}

/** Positions of H0STCNT0 fields (0-based) in the official column list: docs/kis-wire.md §10.4. */
export const TRADE_FIELDS = {
  symbol: 0, time: 1, price: 2, open: 7, high: 8, low: 9, ask1: 10, bid1: 11, volume: 12, dayVolume: 13, date: 33, hourClass: 43,
} as const;
/** the record is 46 fields long; a shorter one cannot hold HOUR_CLS_CODE */
export const TRADE_MIN_FIELDS = 44;

function int(fields: readonly string[], i: number, name: string, allowNegative = false): number {
  const t = fields[i] ?? '';
  const n = Number(t);
  if (t === '' || !Number.isFinite(n) || (!allowNegative && n < 0)) throw new FrameError('frame-invalid', `${name} (field ${i + 1}) is not a number: "${t}"`);
  return n;
}

export function parseTradeTicks(payload: string, count: number): TradeTick[] {
  return splitRecords(payload, count).map((f) => {
    if (f.length < TRADE_MIN_FIELDS) throw new FrameError('frame-invalid', `H0STCNT0 record has ${f.length} fields, expected 46`);
    const symbol = f[TRADE_FIELDS.symbol] ?? '';
    if (!/^[0-9A-Z]{6,7}$/.test(symbol)) throw new FrameError('frame-invalid', `H0STCNT0 symbol "${symbol}" is not a stock code`);
    const time = f[TRADE_FIELDS.time] ?? '';
    if (!/^\d{6}$/.test(time)) throw new FrameError('frame-invalid', `H0STCNT0 time "${time}" is not HHMMSS`);
    const price = int(f, TRADE_FIELDS.price, 'STCK_PRPR');
    if (price <= 0) throw new FrameError('frame-invalid', `H0STCNT0 price ${price} for ${symbol}`);
    return {
      symbol, time, price, volume: int(f, TRADE_FIELDS.volume, 'CNTG_VOL'), dayVolume: int(f, TRADE_FIELDS.dayVolume, 'ACML_VOL'),
      open: int(f, TRADE_FIELDS.open, 'STCK_OPRC'), high: int(f, TRADE_FIELDS.high, 'STCK_HGPR'), low: int(f, TRADE_FIELDS.low, 'STCK_LWPR'),
      ask1: int(f, TRADE_FIELDS.ask1, 'ASKP1'), bid1: int(f, TRADE_FIELDS.bid1, 'BIDP1'),
      date: f[TRADE_FIELDS.date] ?? '', hourClass: f[TRADE_FIELDS.hourClass] ?? '',
    };
  });
}

/**
 * H0STCNI0 / H0STCNI9, one order or fill notice (§10.4). Only the first 17 fields are read: they
 * are the same in the workbook's sample (23 fields, an older layout) and in its current column list
 * (26 fields, with the NXT fields); the tail differs between the two.
 */
export interface FillNotice {
  account: string;
  orderNo: string;
  /** the order a modify/cancel refers to; '' for a new order */
  originalOrderNo: string;
  side: 'buy' | 'sell';
  /** RCTF_CLS: 0 new, 1 modify, 2 cancel */
  kind: 'new' | 'modify' | 'cancel';
  symbol: string;
  /** this fill's quantity and price (0 on an acknowledgement) */
  qty: number;
  price: number;
  /** HHMMSS, KST */
  time: string;
  refused: boolean;
  /** CNTG_YN 2: an execution; 1: an acknowledgement of an order, modify, cancel or refusal */
  fill: boolean;
  orderQty: number;
  branch: string;
}

export const NOTICE_FIELDS = {
  account: 1, orderNo: 2, originalOrderNo: 3, side: 4, kind: 5, symbol: 8, qty: 9, price: 10, time: 11, refused: 12, fill: 13,
  branch: 15, orderQty: 16,
} as const;
export const NOTICE_MIN_FIELDS = 17;

export function parseFillNotices(plain: string, count: number): FillNotice[] {
  return splitRecords(plain, count).map((f) => {
    if (f.length < NOTICE_MIN_FIELDS) throw new FrameError('frame-invalid', `fill notice has ${f.length} fields, expected at least ${NOTICE_MIN_FIELDS}`);
    const at = (i: number): string => f[i] ?? '';
    const side = at(NOTICE_FIELDS.side);
    if (side !== '01' && side !== '02') throw new FrameError('frame-invalid', `fill notice SELN_BYOV_CLS "${side}" is neither 01 nor 02`);
    const kind = at(NOTICE_FIELDS.kind);
    if (kind !== '0' && kind !== '1' && kind !== '2') throw new FrameError('frame-invalid', `fill notice RCTF_CLS "${kind}" is not 0, 1 or 2`);
    const fill = at(NOTICE_FIELDS.fill);
    if (fill !== '1' && fill !== '2') throw new FrameError('frame-invalid', `fill notice CNTG_YN "${fill}" is neither 1 nor 2`);
    const orderNo = at(NOTICE_FIELDS.orderNo);
    if (!/^\d{1,10}$/.test(orderNo)) throw new FrameError('frame-invalid', `fill notice ODER_NO "${orderNo}" is not an order number`);
    return {
      account: at(NOTICE_FIELDS.account), orderNo, originalOrderNo: at(NOTICE_FIELDS.originalOrderNo),
      side: side === '01' ? 'sell' : 'buy', kind: kind === '0' ? 'new' : kind === '1' ? 'modify' : 'cancel',
      symbol: at(NOTICE_FIELDS.symbol), qty: int(f, NOTICE_FIELDS.qty, 'CNTG_QTY'), price: int(f, NOTICE_FIELDS.price, 'CNTG_UNPR'),
      time: at(NOTICE_FIELDS.time), refused: at(NOTICE_FIELDS.refused) === '1', fill: fill === '2',
      orderQty: int(f, NOTICE_FIELDS.orderQty, 'ODER_QTY'), branch: at(NOTICE_FIELDS.branch),
    };
  });
}
