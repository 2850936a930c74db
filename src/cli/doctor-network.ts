import { lookup } from 'node:dns/promises';
import { request as httpRequest } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect as tlsConnect } from 'node:tls';
import type { PeerCertificate } from 'node:tls';
import { tlsConnectOptions } from '../kis/index.js';
import type { KisSession } from './compose.js';

/** The doctor's road to KIS (doctor.ts): DNS, TLS, HTTP and the clock skew from the Date header. */
export interface Report {
  ok(check: string, detail: string): void;
  fail(check: string, todo: string): void;
  failed(): number;
}

/** The HTTP Date header has 1 s resolution; beyond this the sessions' edges move noticeably. */
const MAX_CLOCK_SKEW_MS = 2_000;

function certName(cert: PeerCertificate): string {
  const cn = cert.subject?.CN;
  return typeof cn === 'string' ? cn : 'unnamed';
}

async function checkTls(r: Report, url: URL, session: KisSession, timeoutMs: number): Promise<boolean> {
  if (url.protocol !== 'https:') {
    r.ok('tls', `not used: ${url.origin} is plain HTTP${session.mode === 'sim' ? ' (the simulator)' : ''}`);
    return true;
  }
  const port = url.port === '' ? 443 : Number(url.port);
  return new Promise((done) => {
    const socket = tlsConnect({
      host: url.hostname, port, servername: /^[\d.]+$/.test(url.hostname) ? undefined : url.hostname,
      timeout: timeoutMs, ...tlsConnectOptions(session.tls ?? undefined),
    });
    const finish = (ok: boolean, text: string): void => {
      socket.destroy();
      if (ok) r.ok('tls', text);
      else r.fail('tls', text);
      done(ok);
    };
    socket.once('secureConnect', () => {
      const cert = socket.getPeerCertificate();
      finish(true, `certificate of ${certName(cert)} verified${session.tls ? ` (kis.paperTls ${session.tls.mode})` : ''}, valid until ${cert.valid_to}`);
    });
    socket.once('timeout', () => finish(false, `no TLS handshake with ${url.host} within ${timeoutMs} ms: check the network or a firewall`));
    socket.once('error', (e: NodeJS.ErrnoException) => {
      // a refused or unreachable connection is the network's business; only a failed handshake is the certificate's
      const network = ['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN'].includes(e.code ?? '');
      const hint = network
        ? `nothing accepts TLS at ${url.host}: check the URL, the network or a firewall`
        : `check the system clock and CA certificates${session.mode === 'paper' ? ', or kis.paperTls for the paper host' : ''}`;
      finish(false, `${e.code ?? 'error'}: ${e.message}: ${hint}`);
    });
  });
}

async function checkHttp(r: Report, url: URL, session: KisSession, timeoutMs: number): Promise<boolean> {
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const sentAt = Date.now();
  const res = await new Promise<IncomingMessage | Error>((done) => {
    const req = send(new URL('/', url.origin), { method: 'GET', timeout: timeoutMs, ...(url.protocol === 'https:' ? tlsConnectOptions(session.tls ?? undefined) : {}) }, (m) => {
      m.resume();
      done(m);
    });
    req.once('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms (timed out)`)));
    req.once('error', done);
    req.end();
  });
  if (res instanceof Error) {
    r.fail('http', `${url.origin}: ${res.message}: check the network and kis.*BaseUrl`);
    return false;
  }
  const receivedAt = Date.now();
  r.ok('http', `${url.origin} answers (HTTP ${res.statusCode ?? '?'}, ${receivedAt - sentAt} ms)`);
  const date = res.headers.date === undefined ? Number.NaN : Date.parse(res.headers.date);
  if (Number.isNaN(date)) {
    r.fail('clock', `${url.origin} sent no Date header: compare the system clock with a time server yourself`);
    return true;
  }
  // The header is truncated to the second: the server's time lies in [date, date + 1 s).
  const skew = Math.round((sentAt + receivedAt) / 2 - (date + 500));
  const words = `local clock ${Math.abs(skew / 1000).toFixed(1)} s ${skew >= 0 ? 'ahead of' : 'behind'} ${url.host}`;
  if (Math.abs(skew) > MAX_CLOCK_SKEW_MS) r.fail('clock', `${words}: sync the system clock (e.g. timedatectl set-ntp true)`);
  else r.ok('clock', `skew within ±${MAX_CLOCK_SKEW_MS / 1000} s (${words})`);
  return true;
}

export async function checkReach(r: Report, session: KisSession, timeoutMs: number): Promise<boolean> {
  const url = new URL(session.baseUrl);
  try {
    const a = await lookup(url.hostname);
    r.ok('dns', `${url.hostname} → ${a.address}`);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    r.fail('dns', `${url.hostname} does not resolve (${code}): check the network, /etc/resolv.conf and kis.*BaseUrl`);
    return false;
  }
  if (!(await checkTls(r, url, session, timeoutMs))) return false;
  return checkHttp(r, url, session, timeoutMs);
}
