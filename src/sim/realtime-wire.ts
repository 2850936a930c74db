import { createCipheriv, createHash } from 'node:crypto';

/**
 * The simulator's side of the KIS WebSocket wire (docs/kis-wire.md §10), written from the
 * workbook's sheets and the official samples' column lists, independently of the client's decoder
 * (src/kis/realtime-frames.ts), which it must not import: a record is built by column NAME from the
 * full official list, so a client reading the wrong position reads the wrong value.
 */

/** 국내주식 실시간체결가 (KRX), H0STCNT0: the 46 columns, in order (official sample ccnl_krx.py). */
export const TRADE_COLUMNS = [
  'MKSC_SHRN_ISCD', 'STCK_CNTG_HOUR', 'STCK_PRPR', 'PRDY_VRSS_SIGN', 'PRDY_VRSS', 'PRDY_CTRT', 'WGHN_AVRG_STCK_PRC', 'STCK_OPRC',
  'STCK_HGPR', 'STCK_LWPR', 'ASKP1', 'BIDP1', 'CNTG_VOL', 'ACML_VOL', 'ACML_TR_PBMN', 'SELN_CNTG_CSNU', 'SHNU_CNTG_CSNU',
  'NTBY_CNTG_CSNU', 'CTTR', 'SELN_CNTG_SMTN', 'SHNU_CNTG_SMTN', 'CCLD_DVSN', 'SHNU_RATE', 'PRDY_VOL_VRSS_ACML_VOL_RATE', 'OPRC_HOUR',
  'OPRC_VRSS_PRPR_SIGN', 'OPRC_VRSS_PRPR', 'HGPR_HOUR', 'HGPR_VRSS_PRPR_SIGN', 'HGPR_VRSS_PRPR', 'LWPR_HOUR', 'LWPR_VRSS_PRPR_SIGN',
  'LWPR_VRSS_PRPR', 'BSOP_DATE', 'NEW_MKOP_CLS_CODE', 'TRHT_YN', 'ASKP_RSQN1', 'BIDP_RSQN1', 'TOTAL_ASKP_RSQN', 'TOTAL_BIDP_RSQN',
  'VOL_TNRT', 'PRDY_SMNS_HOUR_ACML_VOL', 'PRDY_SMNS_HOUR_ACML_VOL_RATE', 'HOUR_CLS_CODE', 'MRKT_TRTM_CLS_CODE', 'VI_STND_PRC',
] as const;

/** 국내주식 실시간체결통보, H0STCNI0/H0STCNI9: the 26 columns of the current list (official sample ccnl_notice.py). */
export const NOTICE_COLUMNS = [
  'CUST_ID', 'ACNT_NO', 'ODER_NO', 'OODER_NO', 'SELN_BYOV_CLS', 'RCTF_CLS', 'ODER_KIND', 'ODER_COND', 'STCK_SHRN_ISCD', 'CNTG_QTY',
  'CNTG_UNPR', 'STCK_CNTG_HOUR', 'RFUS_YN', 'CNTG_YN', 'ACPT_YN', 'BRNC_NO', 'ODER_QTY', 'ACNT_NAME', 'ORD_COND_PRC', 'ORD_EXG_GB',
  'POPUP_YN', 'FILLER', 'CRDT_CLS', 'CRDT_LOAN_DATE', 'CNTG_ISNM40', 'ODER_PRC',
] as const;

export type TradeColumn = (typeof TRADE_COLUMNS)[number];
export type NoticeColumn = (typeof NOTICE_COLUMNS)[number];

/** Joins values by the column list; a column left out is sent empty, as KIS sends unused fields. */
export function record<C extends string>(columns: readonly C[], values: Partial<Record<C, string | number>>): string {
  return columns.map((c) => {
    const v = values[c];
    return v === undefined ? '' : String(v);
  }).join('^');
}

const pad = (n: number, width: number): string => String(Math.max(0, Math.trunc(n))).padStart(width, '0');

export interface TradeValues {
  symbol: string;
  /** HHMMSS KST */
  time: string;
  /** YYYYMMDD */
  date: string;
  price: number;
  base: number;
  open: number;
  high: number;
  low: number;
  ask1: number;
  bid1: number;
  volume: number;
  dayVolume: number;
  dayValue: number;
  /** HOUR_CLS_CODE: '0' continuous */
  hourClass: string;
}

export function tradeRecord(t: TradeValues): string {
  const change = t.price - t.base;
  const sign = change > 0 ? '2' : change < 0 ? '5' : '3';
  return record(TRADE_COLUMNS, {
    MKSC_SHRN_ISCD: t.symbol, STCK_CNTG_HOUR: t.time, STCK_PRPR: t.price, PRDY_VRSS_SIGN: sign, PRDY_VRSS: change,
    PRDY_CTRT: t.base > 0 ? ((change / t.base) * 100).toFixed(2) : '0.00', STCK_OPRC: t.open, STCK_HGPR: t.high, STCK_LWPR: t.low,
    ASKP1: t.ask1, BIDP1: t.bid1, CNTG_VOL: t.volume, ACML_VOL: t.dayVolume, ACML_TR_PBMN: t.dayValue,
    WGHN_AVRG_STCK_PRC: t.dayVolume > 0 ? (t.dayValue / t.dayVolume).toFixed(2) : t.price,
    CCLD_DVSN: t.price >= t.ask1 ? '1' : '5', BSOP_DATE: t.date, NEW_MKOP_CLS_CODE: '20', TRHT_YN: 'N', HOUR_CLS_CODE: t.hourClass,
    MRKT_TRTM_CLS_CODE: '', VI_STND_PRC: t.base,
  });
}

export interface NoticeValues {
  custId: string;
  /** CANO + ACNT_PRDT_CD, 10 digits */
  account: string;
  orderNo: string;
  originalOrderNo: string;
  side: 'buy' | 'sell';
  kind: 'new' | 'modify' | 'cancel';
  /** ORD_DVSN of the order, e.g. '00' limit, '01' market */
  orderKind: string;
  symbol: string;
  name: string;
  /** this execution; 0 on an acknowledgement */
  qty: number;
  price: number;
  time: string;
  refused: boolean;
  fill: boolean;
  branch: string;
  orderQty: number;
  orderPrice: number;
}

export function noticeRecord(n: NoticeValues): string {
  return record(NOTICE_COLUMNS, {
    CUST_ID: n.custId, ACNT_NO: n.account, ODER_NO: n.orderNo, OODER_NO: n.originalOrderNo, SELN_BYOV_CLS: n.side === 'sell' ? '01' : '02',
    RCTF_CLS: n.kind === 'new' ? '0' : n.kind === 'modify' ? '1' : '2', ODER_KIND: n.orderKind, ODER_COND: '0', STCK_SHRN_ISCD: n.symbol,
    CNTG_QTY: pad(n.qty, 10), CNTG_UNPR: pad(n.price, 9), STCK_CNTG_HOUR: n.time, RFUS_YN: n.refused ? '1' : '0', CNTG_YN: n.fill ? '2' : '1',
    ACPT_YN: n.fill ? '2' : '1', BRNC_NO: n.branch, ODER_QTY: pad(n.orderQty, 9), ACNT_NAME: '모의고객', ORD_COND_PRC: '', ORD_EXG_GB: '1',
    POPUP_YN: 'N', FILLER: '', CRDT_CLS: '10', CRDT_LOAN_DATE: '', CNTG_ISNM40: n.name, ODER_PRC: pad(n.orderPrice, 9),
  });
}

/** `<0|1>|<tr_id>|<nnn>|<records joined by ^>` (§10.2) */
export function dataFrame(trId: string, records: readonly string[], cipher: { key: string; iv: string } | null): string {
  const payload = records.join('^');
  const body = cipher === null ? payload : encrypt(payload, cipher.key, cipher.iv);
  return `${cipher === null ? '0' : '1'}|${trId}|${pad(records.length, 3)}|${body}`;
}

export function encrypt(plain: string, key: string, iv: string): string {
  const c = createCipheriv('aes-256-cbc', Buffer.from(key, 'utf8'), Buffer.from(iv, 'utf8'));
  return Buffer.concat([c.update(plain, 'utf8'), c.final()]).toString('base64');
}

const ALPHA = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** A seeded key (32) and IV (16) of printable characters, as the workbook's answers show them. */
export function cipherFor(seed: number, session: number): { key: string; iv: string } {
  const bytes = createHash('sha256').update(`ws:${seed}:${session}`).digest();
  const more = createHash('sha256').update(`ws-iv:${seed}:${session}`).digest();
  const text = (b: Buffer, n: number): string => Array.from(b.subarray(0, n), (x) => ALPHA[x % ALPHA.length]).join('');
  return { key: text(bytes, 32), iv: text(more, 16) };
}

export function answer(trId: string, trKey: string, rtCd: string, msgCd: string, msg1: string, cipher: { key: string; iv: string } | null): string {
  return JSON.stringify({
    header: { tr_id: trId, tr_key: trKey, encrypt: 'N' },
    body: { rt_cd: rtCd, msg_cd: msgCd, msg1, ...(cipher === null ? {} : { output: { iv: cipher.iv, key: cipher.key } }) },
  });
}

export function pingpong(datetime: string): string {
  return JSON.stringify({ header: { tr_id: 'PINGPONG', datetime } });
}
