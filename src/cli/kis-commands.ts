import Table from 'cli-table3';
import type { Command } from 'commander';
import { AppError, describeError, formatKst, isAppError, krw, kstDateOf, shares, stockCode, systemClock, tradingDate } from '../domain/index.js';
import type { Broker, Clock, MarketData, OrderRequest, Side } from '../domain/index.js';
import { LIVE_CONFIRM_VALUE, LIVE_CONFIRM_VAR } from '../config/index.js';

/**
 * `kis …`: talk to KIS (or the simulator) directly through the same client the daemon uses —
 * quotes, rankings, the account, and manual orders. The composition (config → client) happens
 * in the caller and arrives as `connect`; this file only parses arguments and prints.
 */
export interface KisSessionLike {
  market: MarketData;
  broker: Broker;
  mode: 'sim' | 'paper' | 'live';
  /** the session's "today" (sim mode trades a simulated day); wall clock when absent */
  clock?: Clock;
  close(): Promise<void>;
}

export interface KisCommandsIo {
  out(s: string): void;
  err(s: string): void;
  exit(code: number): never;
  /** where KIS_LIVE_CONFIRM is read from (never process.env directly) */
  env?: Readonly<Record<string, string | undefined>>;
}

/** a live order without the confirmation: a usage error, distinct from a KIS failure (1) */
export const EXIT_NOT_CONFIRMED = 3;

function table(head: string[], rows: Array<Array<string | number>>): string {
  const t = new Table({ head, style: { head: [], border: [] } });
  for (const r of rows) t.push(r.map(String));
  return t.toString();
}

const won = (n: number): string => n.toLocaleString('en-US');
const pct = (bp: number): string => `${(bp / 100).toFixed(2)}%`;

function wholeNumber(value: string, what: string): number {
  if (!/^\d+$/.test(value)) throw new Error(`${what} must be a whole number, got "${value}"`);
  return Number(value);
}

export function registerKisCommands(program: Command, connect: () => Promise<KisSessionLike>, io: KisCommandsIo): void {
  const kis = program.command('kis').description('query KIS (or the simulator) directly and place manual orders');

  /** Opens a session, runs `fn`, always closes; failures print one line and exit 1. */
  async function withSession(fn: (s: KisSessionLike) => Promise<void>): Promise<void> {
    let session: KisSessionLike | null = null;
    let failed: unknown = null;
    try {
      session = await connect();
      await fn(session);
    } catch (e) {
      failed = e;
    } finally {
      await session?.close().catch(() => undefined);
    }
    if (failed !== null) {
      io.err(`kis: ${describeError(failed)}`);
      io.exit(isAppError(failed, 'KIS_LIVE_NOT_CONFIRMED') ? EXIT_NOT_CONFIRMED : 1);
    }
  }

  /** Only what sends an order to the live account needs the confirmation; reads never do. */
  const requireLiveConfirmation = (s: KisSessionLike, what: string): void => {
    if (s.mode === 'live' && io.env?.[LIVE_CONFIRM_VAR] !== LIVE_CONFIRM_VALUE) {
      throw new AppError('KIS_LIVE_NOT_CONFIRMED', `refusing ${what}: set ${LIVE_CONFIRM_VAR}=${LIVE_CONFIRM_VALUE} to trade real money`);
    }
  };

  const print = (json: boolean | undefined, value: unknown, human: () => string) => io.out(json ? JSON.stringify(value, null, 2) : human());

  kis.command('price <code>').description('current price (inquire-price)').option('--json', 'print JSON')
    .action((code: string, o: { json?: boolean }) => withSession(async (s) => {
      const q = await s.market.quote(stockCode(code));
      print(o.json, q, () => table(['symbol', 'price', 'change', 'open', 'high', 'low', 'base', 'upper', 'lower', 'tick', 'volume', 'halted'],
        [[q.symbol, won(q.price), pct(q.changeBp), won(q.open), won(q.high), won(q.low), won(q.basePrice), won(q.upperLimit), won(q.lowerLimit),
          q.tick, won(q.volume), q.halted ? 'yes' : 'no']]));
    }));

  kis.command('orderbook <code>').description('10-level order book').option('--json', 'print JSON')
    .action((code: string, o: { json?: boolean }) => withSession(async (s) => {
      const b = await s.market.orderBook(stockCode(code));
      print(o.json, b, () => {
        const rows = [...b.asks].reverse().map((l) => [won(l.qty), won(l.price), ''])
          .concat(b.bids.map((l) => ['', won(l.price), won(l.qty)]));
        return `${b.symbol} at ${formatKst(b.at)}\n${table(['ask qty', 'price', 'bid qty'], rows)}`;
      });
    }));

  kis.command('daily <code>').description('daily bars, oldest first').option('--count <n>', 'how many of the newest bars', '20')
    .option('--end <YYYYMMDD>', 'last date (default today)').option('--json', 'print JSON')
    .action((code: string, o: { count: string; end?: string; json?: boolean }) => withSession(async (s) => {
      const bars = await s.market.dailyBars(stockCode(code), wholeNumber(o.count, '--count'), o.end ? { end: tradingDate(o.end) } : {});
      print(o.json, bars, () => table(['date', 'open', 'high', 'low', 'close', 'volume'],
        bars.map((b) => [b.date, won(b.open), won(b.high), won(b.low), won(b.close), won(b.volume)])));
    }));

  kis.command('rank <kind>').description('volume | fluctuation ranking (live only on KIS)')
    .option('--market <code>', "'0000' all, '0001' KOSPI, '1001' KOSDAQ", '0000').option('--json', 'print JSON')
    .action((kind: string, o: { market: string; json?: boolean }) => withSession(async (s) => {
      if (kind !== 'volume' && kind !== 'fluctuation') throw new Error(`rank kind must be volume or fluctuation, got "${kind}"`);
      const snap = await s.market.ranking({ kind, market: o.market });
      print(o.json, snap.rows, () => table(['#', 'symbol', 'name', 'price', 'change', 'volume', 'value'],
        snap.rows.map((r) => [r.rank, r.symbol, r.name, won(r.price), pct(r.changeBp), won(r.volume), won(r.tradedValue)])));
    }));

  kis.command('balance').description('holdings and cash').option('--json', 'print JSON')
    .action((o: { json?: boolean }) => withSession(async (s) => {
      const b = await s.broker.balance();
      print(o.json, b, () => `${table(['symbol', 'name', 'qty', 'sellable', 'avg price', 'price'],
        b.holdings.map((h) => [h.symbol, h.name, h.qty, h.sellableQty, won(h.avgPrice), won(h.price)]))}\n`
        + `cash ${won(b.cash)}  D+2 cash ${won(b.settledCash)}  total ${won(b.totalValue)}  (${s.mode})`);
    }));

  kis.command('orders').description("the broker's orders and fills of a day (default today)")
    .option('--date <YYYYMMDD>', 'trading date').option('--json', 'print JSON')
    .action((o: { date?: string; json?: boolean }) => withSession(async (s) => {
      const date = o.date ? tradingDate(o.date) : kstDateOf((s.clock ?? systemClock).now());
      const orders = await s.broker.dailyOrders(date);
      print(o.json, orders, () => `orders on ${date}: ${orders.length}\n${table(['time', 'venue id', 'orig', 'branch', 'symbol', 'side', 'type', 'qty', 'price', 'filled', 'avg', 'left', 'cancelled', 'rejected'],
        orders.map((v) => [formatKst(v.orderedAt).slice(11, 19), v.venueOrderId, v.originalOrderId ?? '', v.branch, v.symbol, v.side, v.type, v.qty,
          won(v.price), v.filledQty, won(v.avgFillPrice), v.remainingQty, v.cancelledQty, v.rejectedQty]))}`);
    }));

  const order = (side: Side) => kis.command(`${side} <code> <qty>`)
    .description(`place a ${side} order: --price P (limit) or --market`)
    .option('--price <won>', 'limit price on the tick grid').option('--market', 'market order').option('--json', 'print JSON')
    .action((code: string, qty: string, o: { price?: string; market?: boolean; json?: boolean }) => withSession(async (s) => {
      if ((o.price === undefined) === (o.market !== true)) throw new Error('give exactly one of --price <won> or --market');
      const req: OrderRequest = {
        symbol: stockCode(code), side, type: o.market ? 'market' : 'limit', qty: shares(wholeNumber(qty, 'quantity')),
        price: krw(o.market ? 0 : wholeNumber(o.price ?? '', '--price')),
      };
      requireLiveConfirmation(s, `a live ${side} order`);
      const ack = await s.broker.placeOrder(req);
      print(o.json, ack, () => `${side} ${req.qty} ${req.symbol} ${req.type === 'market' ? 'at market' : `at ${won(req.price)}`} accepted (${s.mode}): `
        + `venue order ${ack.venueOrderId}, branch ${ack.branch}, ${formatKst(ack.acceptedAt)}`);
    }));
  order('buy');
  order('sell');

  kis.command('cancel <venueOrderId>').description('cancel what remains of an order (or --qty of it)')
    .requiredOption('--branch <branch>', 'branch number (KRX_FWDG_ORD_ORGNO) from the order ack or `kis orders`')
    .option('--qty <n>', 'cancel only this many').option('--json', 'print JSON')
    .action((venueOrderId: string, o: { branch: string; qty?: string; json?: boolean }) => withSession(async (s) => {
      requireLiveConfirmation(s, 'a live cancel');
      const ack = await s.broker.cancelOrder({ venueOrderId, branch: o.branch, ...(o.qty === undefined ? {} : { qty: shares(wholeNumber(o.qty, '--qty')) }) });
      print(o.json, ack, () => `cancel of ${venueOrderId} accepted (${s.mode}): cancel order ${ack.venueOrderId}, ${formatKst(ack.acceptedAt)}`);
    }));
}
