import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { decodeFrame, decryptPayload, parseFillNotices, parseTradeTicks } from '../../../src/kis/index.js';
import { CRED, PATHS, orderBody, startSim } from './sim-client.js';
import type { Harness } from './sim-client.js';
import { until } from '../../helpers/until.js';

/**
 * The simulator's WebSocket frames read three ways (docs/kis-wire.md §10): by the official Python
 * samples' parsing (test/compat/ws_sample_parse.py: '|' split, a running '^' index over the official
 * column list, AES-CBC with the answer's key and IV), by the client's decoder (src/kis), and against the
 * simulator's own books. The frames are taken with a bare `ws` socket, not src/kis. Needs Debian's
 * python3-cryptography for /usr/bin/python3 (CI installs it).
 */
const PYTHON = '/usr/bin/python3';
const PARSER = join(import.meta.dirname, '..', '..', 'compat', 'ws_sample_parse.py');
const COLUMNS = (JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'fixtures', 'kis', 'ws-frames.json'), 'utf8')) as { columns: Record<string, string[]> }).columns;

function requirePython(): void {
  if (!existsSync(PYTHON)) throw new Error(`${PYTHON} not found: install Debian's python3 and python3-cryptography`);
  try {
    execFileSync(PYTHON, ['-c', 'import cryptography'], { stdio: 'pipe' });
  } catch {
    throw new Error(`${PYTHON} cannot import cryptography: run \`apt-get update && apt-get install -y python3-cryptography\` (CI installs it)`);
  }
}

describe('simulator WebSocket frames, parsed as the official Python samples parse them', () => {
  let h: Harness;
  beforeAll(async () => {
    requirePython();
    h = await startSim({ env: 'live', realtime: { pumpMs: 10 } });
  });
  afterAll(async () => {
    await h.sim.stop();
  });

  it('trades and an encrypted fill notice: the sample, the client and the books agree field by field', async () => {
    const approval = (await h.post('/oauth2/Approval', { grant_type: 'client_credentials', appkey: CRED.appKey, secretkey: CRED.appSecret })).body as unknown as { approval_key: string };
    const ws = new WebSocket(h.url.replace(/^http/, 'ws'));
    const texts: string[] = [];
    ws.on('message', (d) => texts.push(Buffer.from(d as Buffer).toString('utf8')));
    await new Promise((r) => ws.once('open', r));
    const sub = (trId: string, trKey: string) => ws.send(JSON.stringify({
      header: { approval_key: approval.approval_key, custtype: 'P', tr_type: '1', 'content-type': 'utf-8' }, body: { input: { tr_id: trId, tr_key: trKey } },
    }));
    sub('H0STCNI0', 'myhts');
    sub('H0STCNT0', '005930');
    await until(() => texts.filter((t) => t.includes('SUBSCRIBE SUCCESS')).length === 2, 'two answers');
    const answer = JSON.parse(texts.find((t) => t.includes('H0STCNI0'))!) as { body: { output: { key: string; iv: string } } };
    const { key, iv } = answer.body.output;
    const token = await h.token();
    const placed = await h.post(PATHS.orderCash, orderBody({ ORD_QTY: '3' }), h.headers('TTTC0012U', token));
    expect(placed.body.rt_cd).toBe('0');
    h.clock.advance(60_000);
    await until(() => texts.some((t) => t.startsWith('1|H0STCNI0|')) && texts.filter((t) => t.startsWith('0|H0STCNT0|')).length >= 2, 'a notice and two trades');
    ws.close();
    const frames = texts.filter((t) => t[0] === '0' || t[0] === '1');

    const out = execFileSync(PYTHON, [PARSER], { input: JSON.stringify({ frames, key, iv, columns: COLUMNS }), env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
    const sample = JSON.parse(out.toString('utf8')) as { tr_id: string; records: Record<string, string>[] }[];
    expect(sample).toHaveLength(frames.length);

    const trade = h.sim.exchange.trades(CRED.account)[0]!;
    const odno = h.sim.exchange.orders(CRED.account)[0]!.odno;
    for (const [i, text] of frames.entries()) {
      const f = decodeFrame(text);
      if (f.kind !== 'data') throw new Error('data frame expected');
      const bySample = sample[i]!.records;
      if (f.trId === 'H0STCNT0') {
        const ticks = parseTradeTicks(f.payload, f.count);
        expect(ticks.map((t) => ({ symbol: t.symbol, time: t.time, price: String(t.price), volume: String(t.volume), dayVolume: String(t.dayVolume), date: t.date })))
          .toEqual(bySample.map((r) => ({ symbol: r.MKSC_SHRN_ISCD, time: r.STCK_CNTG_HOUR, price: r.STCK_PRPR, volume: r.CNTG_VOL, dayVolume: r.ACML_VOL, date: r.BSOP_DATE })));
        expect(bySample.every((r) => r.HOUR_CLS_CODE === '0' && Number(r.STCK_PRPR) > 0)).toBe(true);
      } else {
        const [n] = parseFillNotices(decryptPayload(f.payload, key, iv), f.count);
        const r = bySample[0]!;
        expect(r).toMatchObject({ ODER_NO: odno, STCK_SHRN_ISCD: '005930', SELN_BYOV_CLS: '02', CNTG_YN: '2', ACNT_NO: '5000000001' });
        expect(Number(r.CNTG_QTY)).toBe(trade.qty);
        expect(Number(r.CNTG_UNPR)).toBe(trade.price);
        expect(Number(r.ODER_QTY)).toBe(3);
        expect(n).toMatchObject({ orderNo: r.ODER_NO, symbol: r.STCK_SHRN_ISCD, qty: Number(r.CNTG_QTY), price: Number(r.CNTG_UNPR), fill: true, side: 'buy' });
      }
    }
  });
});
