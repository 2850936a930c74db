import { splitAccount } from './credentials.js';
import { MSG } from './messages.js';
import type { KisMessage } from './messages.js';
import type { SimRequest } from './wire-format.js';

const APAC0081: KisMessage = { rtCd: '1', msgCd: 'APAC0081', msg1: '계좌번호 입력 오류입니다'.padEnd(80) };

/**
 * CANO must be 8 digits and ACNT_PRDT_CD 2 (else OPSQ2000), and together the account of the
 * app key that called (else APAC0081, docs/kis-wire.md §5.2). Returns the 'CANO-PRDT' account.
 */
export function checkAccount(req: SimRequest, cano: string, prdt: string): { account: string } | { error: KisMessage } {
  if (!/^\d{8}$/.test(cano) || !/^\d{2}$/.test(prdt)) return { error: MSG.badAccountFormat };
  const mine = req.cred ? splitAccount(req.cred.account) : null;
  if (!mine || mine.cano !== cano || mine.prdt !== prdt) return { error: APAC0081 };
  return { account: `${cano}-${prdt}` };
}
