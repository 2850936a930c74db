import type { Config } from './schema.js';

/**
 * Rules that span several keys. They run only once every key is individually valid, because
 * comparing values that failed their own checks would only add noise.
 */

function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':');
  return Number(h) * 60 + Number(m);
}

function checkSessions(config: Config, out: string[]): void {
  const s = config.market.sessions;
  const ordered: [string, string][] = [
    ['openingAuctionStart', s.openingAuctionStart],
    ['open', s.open],
    ['closingAuctionStart', s.closingAuctionStart],
    ['close', s.close],
  ];
  for (let i = 1; i < ordered.length; i++) {
    const prev = ordered[i - 1];
    const cur = ordered[i];
    if (prev && cur && minutesOf(cur[1]) <= minutesOf(prev[1])) {
      out.push(`market.sessions.${cur[0]}: must be after market.sessions.${prev[0]} (${prev[1]})`);
    }
  }
  for (const name of ['preMarket', 'postClose', 'afterHours'] as const) {
    const range = s[name];
    if (range !== null && minutesOf(range.end) <= minutesOf(range.start)) {
      out.push(`market.sessions.${name}.end: must be after market.sessions.${name}.start (${range.start})`);
    }
  }
  // The same rules market/ enforces when it builds the calendar (session-times.ts), caught here
  // so `config check` reports them instead of the daemon failing at start.
  if (s.preMarket !== null && minutesOf(s.preMarket.end) > minutesOf(s.openingAuctionStart)) {
    out.push(`market.sessions.preMarket.end: must not be after market.sessions.openingAuctionStart (${s.openingAuctionStart})`);
  }
  for (const name of ['postClose', 'afterHours'] as const) {
    const range = s[name];
    if (range !== null && minutesOf(range.start) < minutesOf(s.close)) {
      out.push(`market.sessions.${name}.start: must not be before market.sessions.close (${s.close})`);
    }
  }
  if (minutesOf(config.schedule.preOpenAt) >= minutesOf(s.open)) {
    out.push(`schedule.preOpenAt: must be before market.sessions.open (${s.open})`);
  }
  if (minutesOf(config.schedule.afterCloseAt) <= minutesOf(s.close)) {
    out.push(`schedule.afterCloseAt: must be after market.sessions.close (${s.close})`);
  }
}

export function crossCheck(config: Config): string[] {
  const out: string[] = [];
  if (config.scan.minPrice > config.scan.maxPrice) {
    out.push(`scan.minPrice: must not exceed scan.maxPrice (${config.scan.maxPrice})`);
  }
  checkSessions(config, out);
  const taxTable = config.market.taxTable;
  for (let i = 1; i < taxTable.length; i++) {
    const prev = taxTable[i - 1];
    const cur = taxTable[i];
    if (prev && cur && cur.from <= prev.from) {
      out.push(`market.taxTable[${i}].from: must be after market.taxTable[${i - 1}].from (${prev.from})`);
    }
  }
  const tls = config.kis.paperTls;
  if (tls.mode === 'pin-name' && tls.serverName === null) {
    out.push('kis.paperTls.serverName: required when kis.paperTls.mode is "pin-name"');
  }
  if (tls.mode === 'pin-fingerprint' && tls.fingerprint256 === null) {
    out.push('kis.paperTls.fingerprint256: required when kis.paperTls.mode is "pin-fingerprint"');
  }
  if (config.mode === 'paper' && config.kis.paperRankingSource === 'watchlist' && config.kis.watchlist.length === 0) {
    out.push('kis.watchlist: paper mode takes rankings from the watch list (kis.paperRankingSource "watchlist"), so list at least one code');
  }
  return out;
}
