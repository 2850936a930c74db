import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createManualClock } from '../../../src/domain/index.js';
import { defaultMigrationsDir, migrate, openStore } from '../../../src/store/index.js';
import { createTempStore, TEMP_STORE_START } from '../../helpers/temp-store.js';
import { DAY1, DAY2, writeDay1, writeDay2 } from '../../helpers/review-book.js';

/** The review views of migration 0004 over a hand-written book (test/helpers/review-book.ts). */

interface TimelineRow {
  order_id: number; trading_date: string; strategy: string | null; symbol: string; side: string; status: string; filled_qty: number;
  decision_id: number | null; rule: string | null; outcome: string | null; guards: string | null; config_hash: string;
  decision_config_hash: string | null; events: string;
}

describe('v_order_timeline', () => {
  it('gives every order its decision (rule, outcome, guards, config hash), its strategy and its events in order', () => {
    const { store } = createTempStore();
    const { buySamsung } = writeDay1(store);
    const { sellSamsung } = writeDay2(store);
    const rows = store.db.prepare<[], TimelineRow>('SELECT * FROM v_order_timeline ORDER BY order_id').all();
    expect(rows.map((r) => r.order_id)).toEqual([buySamsung, buySamsung + 1, sellSamsung]);
    const sell = rows[2]!;
    expect(sell).toMatchObject({
      trading_date: DAY2, strategy: 'breakout', symbol: '005930', side: 'sell', status: 'partial', filled_qty: 5,
      rule: 'take profit', outcome: 'order', config_hash: 'cfg-a', decision_config_hash: 'cfg-b',
    });
    expect(JSON.parse(sell.guards!)).toEqual([]);
    const buy = rows[0]!;
    expect(JSON.parse(buy.guards!)).toEqual([{ guard: 'halt', ok: true }, { guard: 'max-positions', ok: true }]);
    const events = JSON.parse(buy.events) as { id: number; from: string | null; to: string; event: string; details: Record<string, unknown> }[];
    expect(events.map((e) => [e.from, e.to, e.event])).toEqual([
      [null, 'pending', 'intent'], ['pending', 'submitting', 'submit'], ['submitting', 'accepted', 'accepted'],
      ['accepted', 'accepted', 'fill'], ['accepted', 'partial', 'status'], ['partial', 'partial', 'fill'], ['partial', 'filled', 'status'],
    ]);
    expect(events.map((e) => e.id)).toEqual([...events.map((e) => e.id)].sort((a, b) => a - b));
    // details are JSON objects, not strings inside the array
    expect(events[3]!.details).toMatchObject({ fillKey: '20261201.0000000001.4', qty: 4, value: 280_000, commission: 41 });
  });

  it('shows an adopted external order with no decision', () => {
    const { store } = createTempStore();
    store.orders.insertExternal({
      venueOrderId: '0000000009', branch: '06010', symbol: '005930' as never, side: 'buy', type: 'limit', qty: 1 as never,
      price: 70_000 as never, tradingDate: DAY1, status: 'accepted',
    }, 0 as never);
    expect(store.db.prepare('SELECT origin, strategy, decision_id, rule, outcome, guards FROM v_order_timeline').all()).toEqual([
      { origin: 'external', strategy: null, decision_id: null, rule: null, outcome: null, guards: null },
    ]);
  });
});

describe('v_guard_stats', () => {
  it('counts per day, strategy and guard the entry decisions checked and blocked (exits left out)', () => {
    const { store } = createTempStore();
    writeDay1(store);
    writeDay2(store);
    expect(store.db.prepare('SELECT * FROM v_guard_stats ORDER BY trading_date, strategy, guard').all()).toEqual([
      { trading_date: DAY1, strategy: 'breakout', guard: 'cooldown', checked: 1, blocked: 1 },
      { trading_date: DAY1, strategy: 'breakout', guard: 'halt', checked: 4, blocked: 0 },
      { trading_date: DAY1, strategy: 'breakout', guard: 'max-positions', checked: 4, blocked: 2 },
      { trading_date: DAY2, strategy: 'breakout', guard: 'halt', checked: 1, blocked: 1 },
    ]);
  });
});

describe('migration 0004 on an older log', () => {
  it('applies on a log created by 0001–0003 and keeps its rows', () => {
    const old = mkdtempSync(join(tmpdir(), 'kis-migrations-'));
    onTestFinished(() => rmSync(old, { recursive: true, force: true }));
    for (const f of readdirSync(defaultMigrationsDir()).filter((f) => f < '0004')) copyFileSync(join(defaultMigrationsDir(), f), join(old, f));
    // the store's repositories need the newest schema, so the old log is written with plain SQL
    const path = join(old, 'log', 'trade.sqlite');
    mkdirSync(dirname(path));
    const raw = new Database(path);
    migrate(raw, old, path);
    expect(raw.pragma('user_version', { simple: true })).toBe(3);
    raw.exec(`
      INSERT INTO decisions (id, at, trading_date, symbol, kind, strategy, inputs, rule, guards, outcome, intent_key, config_hash)
      VALUES (1, 0, '20261201', '035420', 'entry', 'breakout', '{}', 'r', '[{"guard":"halt","ok":false}]', 'blocked', NULL, 'c'),
             (2, 0, '20261201', '005930', 'entry', 'breakout', '{}', 'r', '[]', 'order', 'i.breakout.005930.buy.20261201.entry', 'c');
      INSERT INTO orders (id, intent_key, origin, symbol, side, type, qty, price, trading_date, status, decision_id, config_hash, reason, created_at, updated_at)
      VALUES (1, 'i.breakout.005930.buy.20261201.entry', 'daemon', '005930', 'buy', 'limit', 1, 70000, '20261201', 'pending', 2, 'c', 'r', 0, 0);`);
    raw.close();
    const s = openStore({ path, synchronous: 'FULL', clock: createManualClock(TEMP_STORE_START) });
    onTestFinished(() => s.close());
    // migrated to the latest schema, whatever came after 0004
    expect(s.db.pragma('user_version', { simple: true })).toBe(readdirSync(defaultMigrationsDir()).filter((f) => f.endsWith('.sql')).length);
    expect(s.db.prepare('SELECT order_id, strategy, outcome, events FROM v_order_timeline').get())
      .toEqual({ order_id: 1, strategy: 'breakout', outcome: 'order', events: '[]' });
    expect(s.db.prepare('SELECT guard, checked, blocked FROM v_guard_stats').all()).toEqual([{ guard: 'halt', checked: 1, blocked: 1 }]);
    expect(s.dailySummaries.all()).toEqual([]);
  });
});
