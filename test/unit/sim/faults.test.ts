import { describe, expect, it } from 'vitest';
import { isAppError } from '../../../src/domain/index.js';
import { parseFaultSpec } from '../../../src/sim/index.js';
import { createFaultController } from '../../../src/sim/faults.js';

describe('fault specs', () => {
  it('parses kind, path suffix, times and ms', () => {
    expect(parseFaultSpec('accept-then-drop:order-cash:1')).toEqual({ kind: 'accept-then-drop', match: { path: 'order-cash' }, times: 1 });
    expect(parseFaultSpec('latency::*:100')).toEqual({ kind: 'latency', times: Infinity, ms: 100 });
    expect(parseFaultSpec('rate-limit:inquire-price:3')).toEqual({ kind: 'rate-limit', match: { path: 'inquire-price' }, times: 3 });
    expect(parseFaultSpec('timeout')).toEqual({ kind: 'timeout' });
    expect(parseFaultSpec('http-500:*:*')).toEqual({ kind: 'http-500', times: Infinity });
    expect(parseFaultSpec('token-expired:/oauth2/tokenP')).toEqual({ kind: 'token-expired', match: { path: '/oauth2/tokenP' } });
    // WebSocket faults name a TR_ID in the second field
    expect(parseFaultSpec('ws-drop:H0STCNI9:1')).toEqual({ kind: 'ws-drop', match: { trId: 'H0STCNI9' }, times: 1 });
    expect(parseFaultSpec('ws-delay::*:300')).toEqual({ kind: 'ws-delay', times: Infinity, ms: 300 });
  });

  it('WebSocket faults never hit an HTTP request, HTTP faults never a frame', () => {
    const c = createFaultController(1, ['ws-disconnect::1', 'http-500::1']);
    expect(c.take('/ws', 'H0STCNT0', 'ws').map((f) => f.kind)).toEqual(['ws-disconnect']);
    expect(c.take('/ws', 'H0STCNT0', 'ws')).toEqual([]);
    expect(c.take('/uapi/x', 'FHKST01010100').map((f) => f.kind)).toEqual(['http-500']);
  });

  it.each([
    ['explode', 'unknown kind'],
    ['rate-limit:x:0', 'times'],
    ['rate-limit:x:two', 'times'],
    ['latency:x:1', 'needs ms'],
    ['latency::1:fast', 'ms'],
    ['http-500::1:100', 'latency and ws-delay only'],
    ['ws-delay:H0STCNT0:1', 'ws-delay needs ms'],
    ['timeout:a:1:2:3', 'too many'],
    ['timeout:a b', 'path suffix'],
  ])('refuses %s naming the spec', (spec, why) => {
    try {
      parseFaultSpec(spec);
      expect.unreachable();
    } catch (err) {
      expect(isAppError(err, 'SIM_FAULT_SPEC_INVALID')).toBe(true);
      expect((err as Error).message).toContain(`"${spec}"`);
      expect((err as Error).message).toContain(why);
    }
  });
});

describe('fault controller', () => {
  it('hits matching requests the given number of times', () => {
    const c = createFaultController(1, ['rate-limit:inquire-price:2']);
    expect(c.take('/uapi/domestic-stock/v1/trading/order-cash', 'TTTC0012U')).toEqual([]);
    expect(c.take('/uapi/domestic-stock/v1/quotations/inquire-price', 'FHKST01010100')).toHaveLength(1);
    expect(c.take('/uapi/domestic-stock/v1/quotations/inquire-price', 'FHKST01010100')).toHaveLength(1);
    expect(c.take('/uapi/domestic-stock/v1/quotations/inquire-price', 'FHKST01010100')).toEqual([]);
    expect(c.active()).toEqual([]);
  });

  it('matches on TR_ID, never fires at probability 0, and clears', () => {
    const c = createFaultController(1);
    c.inject({ kind: 'http-500', match: { trId: 'TTTC0011U' }, times: Infinity });
    c.inject({ kind: 'latency', ms: 5, probability: 0, times: Infinity });
    expect(c.take('/x/order-cash', 'TTTC0012U')).toEqual([]);
    expect(c.take('/x/order-cash', 'TTTC0011U').map((f) => f.kind)).toEqual(['http-500']);
    expect(c.active()).toHaveLength(2);
    c.clear();
    expect(c.active()).toEqual([]);
    expect(() => c.inject({ kind: 'latency' })).toThrow(/latency needs ms/);
    expect(() => c.inject({ kind: 'timeout', probability: 2 })).toThrow(/probability/);
  });

  it('draws probabilities from the seed, so a run is repeatable', () => {
    const hits = (seed: number) => {
      const c = createFaultController(seed, [{ kind: 'http-500', probability: 0.5, times: Infinity }]);
      return Array.from({ length: 40 }, () => c.take('/p', 'T').length).join('');
    };
    expect(hits(7)).toBe(hits(7));
    expect(hits(7)).not.toBe(hits(8));
    expect(hits(7)).toMatch(/1/);
    expect(hits(7)).toMatch(/0/);
  });
});
