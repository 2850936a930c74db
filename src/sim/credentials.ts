import { krw } from '../domain/index.js';
import type { Krw } from '../domain/index.js';

/** One simulated KIS customer: an app key pair and the account it trades. */
export interface SimCredentials {
  /** 36 characters, like real KIS app keys */
  appKey: string;
  /** 180 characters, like real KIS app secrets */
  appSecret: string;
  /** 'CANO-ACNT_PRDT_CD', e.g. '50000000-01' */
  account: string;
  initialCash: Krw;
}

/**
 * What sim mode uses when the user has no keys. Not secret: they only open the built-in
 * simulator, which is also why they are spelled out here rather than read from the environment.
 */
export const SIM_DEFAULT_CREDENTIALS: SimCredentials = Object.freeze({
  appKey: 'PSSIMULATORAPPKEY0000000000000000001',
  appSecret: ('SIMSECRET' + 'k8Qz3Xv1Lw9Tn5Rb2Yc7Hd4Jf6Mg0PsA/eU+iO'.repeat(5)).slice(0, 180),
  account: '50000000-01',
  initialCash: krw(100_000_000),
});

/** Splits '50000000-01' into CANO and ACNT_PRDT_CD; null when it is not 8 + 2 digits. */
export function splitAccount(account: string): { cano: string; prdt: string } | null {
  const m = /^(\d{8})-?(\d{2})$/.exec(account);
  return m?.[1] && m[2] ? { cano: m[1], prdt: m[2] } : null;
}
