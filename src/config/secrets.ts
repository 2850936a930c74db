import type { Mode } from '../domain/index.js';
import { isPlainObject, type PlainObject } from './merge.js';
import { formatPath } from './problems.js';

/** Credentials, read only from the environment (docs/architecture.md §5), never from config files. */
export interface Secrets {
  readonly appKey: string;
  readonly appSecret: string;
  /** the account as KIS splits it: 8-digit number and 2-digit product code (docs/kis-wire.md §1) */
  readonly account: { readonly number: string; readonly product: string };
  readonly htsId: string | null;
  /** live read-only keys used by paper mode for rankings (docs/kis-wire.md §6.5–6.6) */
  readonly ranking: { readonly appKey: string; readonly appSecret: string } | null;
}

export type Env = Readonly<Record<string, string | undefined>>;

export const SECRET_ENV_VARS = [
  'KIS_APP_KEY', 'KIS_APP_SECRET', 'KIS_ACCOUNT', 'KIS_HTS_ID', 'KIS_RANKING_APP_KEY', 'KIS_RANKING_APP_SECRET',
] as const;

export const LIVE_CONFIRM_VAR = 'KIS_LIVE_CONFIRM';
export const LIVE_CONFIRM_VALUE = 'I_UNDERSTAND';

/** Key names (lower case, without _ and -) that hold a secret, wherever they appear in a file. */
const SECRET_KEYS: Record<string, string> = {
  appkey: 'KIS_APP_KEY',
  appsecret: 'KIS_APP_SECRET',
  secretkey: 'KIS_APP_SECRET',
  account: 'KIS_ACCOUNT',
  accountno: 'KIS_ACCOUNT',
  accountnumber: 'KIS_ACCOUNT',
  cano: 'KIS_ACCOUNT',
  htsid: 'KIS_HTS_ID',
  rankingappkey: 'KIS_RANKING_APP_KEY',
  rankingappsecret: 'KIS_RANKING_APP_SECRET',
};

function secretVarFor(key: string): string | undefined {
  return SECRET_KEYS[key.toLowerCase().replace(/[-_]/g, '')];
}

/**
 * Removes secret-looking keys from a layer and reports each, so a key pasted into a file is an
 * error of its own and not also an "unrecognized key". `where` ends the message ("not in …").
 */
export function stripSecretKeys(layer: PlainObject, where: string): { value: PlainObject; problems: string[] } {
  const problems: string[] = [];
  const walk = (node: PlainObject, path: string[]): PlainObject => {
    const out: PlainObject = {};
    for (const [key, value] of Object.entries(node)) {
      const envVar = secretVarFor(key);
      if (envVar !== undefined) {
        problems.push(`${formatPath([...path, key])}: secrets belong in the environment (${envVar}), ${where}`);
        continue;
      }
      out[key] = isPlainObject(value) ? walk(value, [...path, key]) : value;
    }
    return out;
  };
  return { value: walk(layer, []), problems };
}

export type SecretProblemKind = 'missing' | 'invalid' | 'not-confirmed';

export interface SecretProblem {
  kind: SecretProblemKind;
  text: string;
}

function read(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

const ACCOUNT = /^(\d{8})-?(\d{2})$/;

/**
 * Reads the credentials `mode` needs. sim needs none (the simulator has built-in ones); paper and
 * live need key, secret and account; live also needs the explicit confirmation.
 */
export function readSecrets(
  env: Env,
  mode: Mode,
  paperRankingSource: 'live-readonly' | 'watchlist' | null,
): { secrets: Secrets | null; problems: SecretProblem[] } {
  if (mode === 'sim') return { secrets: null, problems: [] };
  const problems: SecretProblem[] = [];
  const required = (name: string): string => {
    const value = read(env, name);
    if (value === undefined) {
      problems.push({ kind: 'missing', text: `${name}: missing; ${mode} mode needs it in the environment` });
    }
    return value ?? '';
  };
  const appKey = required('KIS_APP_KEY');
  const appSecret = required('KIS_APP_SECRET');
  const accountText = required('KIS_ACCOUNT');
  const account = ACCOUNT.exec(accountText);
  if (accountText !== '' && account === null) {
    // Never echo the value: it is the account number.
    problems.push({ kind: 'invalid', text: 'KIS_ACCOUNT: expected 8 digits, a dash and 2 digits like 12345678-01' });
  }

  let ranking: Secrets['ranking'] = null;
  const rankingKey = read(env, 'KIS_RANKING_APP_KEY');
  const rankingSecret = read(env, 'KIS_RANKING_APP_SECRET');
  if (mode === 'paper') {
    if ((rankingKey === undefined) !== (rankingSecret === undefined)) {
      const absent = rankingKey === undefined ? 'KIS_RANKING_APP_KEY' : 'KIS_RANKING_APP_SECRET';
      problems.push({ kind: 'missing', text: `${absent}: missing; set both ranking variables or neither` });
    } else if (rankingKey !== undefined && rankingSecret !== undefined) {
      ranking = { appKey: rankingKey, appSecret: rankingSecret };
    }
    if (paperRankingSource === 'live-readonly' && ranking === null && rankingKey === undefined && rankingSecret === undefined) {
      problems.push({
        kind: 'missing',
        text: 'KIS_RANKING_APP_KEY: missing; kis.paperRankingSource "live-readonly" needs KIS_RANKING_APP_KEY and KIS_RANKING_APP_SECRET',
      });
    }
  }

  if (mode === 'live' && read(env, LIVE_CONFIRM_VAR) !== LIVE_CONFIRM_VALUE) {
    problems.push({
      kind: 'not-confirmed',
      text: `${LIVE_CONFIRM_VAR}: live mode trades real money; set ${LIVE_CONFIRM_VAR}=${LIVE_CONFIRM_VALUE} to confirm`,
    });
  }

  // A missing confirmation does not hide the credentials: read-only commands use them (load.ts `purpose`).
  if (problems.some((p) => p.kind !== 'not-confirmed') || account === null) return { secrets: null, problems };
  const secrets: Secrets = Object.freeze({
    appKey,
    appSecret,
    account: Object.freeze({ number: account[1] ?? '', product: account[2] ?? '' }),
    htsId: read(env, 'KIS_HTS_ID') ?? null,
    ranking: ranking === null ? null : Object.freeze(ranking),
  });
  return { secrets, problems };
}

/** Every secret value in every printed form, for the logger's string scrubber (src/log.ts). */
export function secretValues(secrets: Secrets | null): string[] {
  if (secrets === null) return [];
  const { number, product } = secrets.account;
  const values = [secrets.appKey, secrets.appSecret, `${number}-${product}`, `${number}${product}`, number];
  if (secrets.htsId !== null) values.push(secrets.htsId);
  if (secrets.ranking !== null) values.push(secrets.ranking.appKey, secrets.ranking.appSecret);
  return values;
}

/** The alert channels' secrets (docs/operations.md "Alerts"): from the environment or .env, never a config file. */
export const ALERT_ENV_VARS = ['TELEGRAM_BOT_TOKEN', 'TELEGRAM_CHAT_ID', 'ALERT_WEBHOOK_URL'] as const;

export interface AlertSecrets {
  readonly telegram: { readonly token: string; readonly chatId: string } | null;
  readonly webhookUrl: string | null;
}

/**
 * Reads the alert secrets each enabled channel needs; a missing or malformed one is a problem naming
 * the variable (never its value). A channel that is off needs nothing.
 */
export function alertSecrets(env: Env, enabled: { telegram: boolean; webhook: boolean }): { secrets: AlertSecrets; problems: string[] } {
  const problems: string[] = [];
  let telegram: AlertSecrets['telegram'] = null;
  if (enabled.telegram) {
    const token = read(env, 'TELEGRAM_BOT_TOKEN');
    const chatId = read(env, 'TELEGRAM_CHAT_ID');
    if (token === undefined) problems.push('TELEGRAM_BOT_TOKEN: missing; alerts.telegram.enabled needs it in the environment');
    else if (!/^\d+:[A-Za-z0-9_-]+$/.test(token)) problems.push('TELEGRAM_BOT_TOKEN: expected the form 123456:ABC-def… that @BotFather gives');
    if (chatId === undefined) problems.push('TELEGRAM_CHAT_ID: missing; alerts.telegram.enabled needs it in the environment');
    else if (!/^-?\d+$/.test(chatId)) problems.push('TELEGRAM_CHAT_ID: expected a number such as 123456789 or -100123456789');
    if (problems.length === 0 && token !== undefined && chatId !== undefined) telegram = Object.freeze({ token, chatId });
  }
  let webhookUrl: string | null = null;
  if (enabled.webhook) {
    const url = read(env, 'ALERT_WEBHOOK_URL');
    if (url === undefined) problems.push('ALERT_WEBHOOK_URL: missing; alerts.webhook.enabled needs it in the environment');
    else if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) problems.push('ALERT_WEBHOOK_URL: expected an http(s) URL');
    else webhookUrl = url;
  }
  return { secrets: Object.freeze({ telegram, webhookUrl }), problems };
}
