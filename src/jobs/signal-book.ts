import { OPEN_STATUSES, RISK_KEYS } from '../domain/index.js';
import type {
  AccountSnapshot, BarRepo, DailyBar, DecisionInput, DecisionRepo, EpochMs, FillRecord, FillRepo, Halt, KeyValueRepo,
  OrderRecord, OrderRepo, Position, PositionRepo, StockCode, TradingDate,
} from '../domain/index.js';

/**
 * The part of the trade log one evaluation reads (signals/evaluate-job.ts, evaluate-exit-job.ts),
 * copied into the signal job by the owner so a `workers` process, which has no SQLite, evaluates
 * on the same facts through the same code: positions, the open and today's orders, the fills
 * that tell how each held position began (and their orders), and the risk-state keys read.
 */
export interface SignalBook {
  tradingDate: TradingDate;
  /** when the owner copied it: a worker that evaluates later sees the book as it was then */
  takenAt: EpochMs;
  positions: Position[];
  orders: OrderRecord[];
  fills: FillRecord[];
  risk: Record<string, unknown>;
}

export interface BookSource {
  positions: PositionRepo;
  orders: Pick<OrderRepo, 'withStatus' | 'forDate' | 'byId'>;
  fills: Pick<FillRepo, 'all'>;
  risk: Pick<KeyValueRepo, 'get'>;
}

/**
 * The daemon's fills of the symbols held, since each last went flat: replaying them gives the
 * same origins as replaying every fill (signals/position-origins.ts), which only looks at the
 * buy that took a symbol from flat.
 */
function fillsSinceFlat(source: BookSource, held: ReadonlySet<string>): { fills: FillRecord[]; orders: Map<number, OrderRecord> } {
  const bySymbol = new Map<string, FillRecord[]>();
  const qty = new Map<string, number>();
  const orders = new Map<number, OrderRecord>();
  for (const f of source.fills.all()) {
    if (!held.has(f.symbol)) continue;
    const order = orders.get(f.orderId) ?? source.orders.byId(f.orderId);
    if (order?.origin !== 'daemon') continue;
    orders.set(order.id, order);
    const after = Math.max(0, (qty.get(f.symbol) ?? 0) + (f.side === 'buy' ? f.qty : -Number(f.qty)));
    qty.set(f.symbol, after);
    const list = bySymbol.get(f.symbol) ?? [];
    list.push(f);
    bySymbol.set(f.symbol, after === 0 ? [] : list);
  }
  const fills = [...bySymbol.values()].flat().sort((a, b) => a.id - b.id);
  const used = new Set(fills.map((f) => f.orderId));
  return { fills, orders: new Map([...orders].filter(([id]) => used.has(id))) };
}

export function bookOf(source: BookSource, symbol: StockCode, today: TradingDate, at: EpochMs): SignalBook {
  const positions = source.positions.list();
  const { fills, orders: fillOrders } = fillsSinceFlat(source, new Set(positions.map((p) => p.symbol)));
  const orders = new Map<number, OrderRecord>(fillOrders);
  for (const o of [...source.orders.withStatus(OPEN_STATUSES), ...source.orders.forDate(today)]) orders.set(o.id, o);
  const halt = source.risk.get<Halt>(RISK_KEYS.halt);
  const account = source.risk.get<AccountSnapshot>(RISK_KEYS.account);
  const risk: Record<string, unknown> = {};
  const put = (key: string, value: unknown): void => { if (value !== null && value !== undefined) risk[key] = value; };
  // The halt's details and the account's holdings stay home: the evaluation reads only that it is halted and the total value.
  put(RISK_KEYS.halt, halt === null ? null : { reason: halt.reason, details: {}, at: halt.at });
  put(RISK_KEYS.account, account === null ? null : { totalValue: account.totalValue });
  put(RISK_KEYS.dayStartEquity(today), source.risk.get<number>(RISK_KEYS.dayStartEquity(today)));
  put(RISK_KEYS.losingExits, source.risk.get(RISK_KEYS.losingExits));
  put(RISK_KEYS.exitState(symbol), source.risk.get(RISK_KEYS.exitState(symbol)));
  return { tradingDate: today, takenAt: at, positions, orders: [...orders.values()].sort((a, b) => a.id - b.id), fills, risk };
}

export interface RiskWrite {
  key: string;
  value: unknown;
  at: EpochMs;
}

export interface BookPorts {
  positions: PositionRepo;
  orders: OrderRepo;
  fills: FillRepo;
  risk: KeyValueRepo;
  decisions: DecisionRepo;
  /** the decisions the evaluation recorded, in order; each got the id 0 */
  recorded(): DecisionInput[];
  /** the risk-state writes of the evaluation, in order */
  riskWrites(): RiskWrite[];
}

const readOnly = (what: string): never => {
  throw new Error(`the signal book is read-only: ${what} belongs to the owner of the trade log`);
};

/** The evaluation's ports over a book: reads from it, writes collected for the owner to record. */
export function bookPorts(book: SignalBook): BookPorts {
  const risk = new Map(Object.entries(book.risk));
  const writes: RiskWrite[] = [];
  const decisions: DecisionInput[] = [];
  return {
    positions: {
      list: () => book.positions.map((p) => ({ ...p })),
      get: (symbol) => book.positions.find((p) => p.symbol === symbol) ?? null,
    },
    orders: {
      insertIntent: () => readOnly('orders.insertIntent'),
      insertExternal: () => readOnly('orders.insertExternal'),
      transition: () => readOnly('orders.transition'),
      byIntentKey: (key) => book.orders.find((o) => o.intentKey === key) ?? null,
      byId: (id) => book.orders.find((o) => o.id === id) ?? null,
      withStatus: (statuses) => book.orders.filter((o) => statuses.includes(o.status)),
      forDate: (date) => book.orders.filter((o) => o.tradingDate === date),
    },
    fills: {
      record: () => readOnly('fills.record'),
      forOrder: (orderId) => book.fills.filter((f) => f.orderId === orderId),
      forDate: (date) => book.fills.filter((f) => f.tradingDate === date),
      all: () => [...book.fills],
    },
    risk: {
      get: <T>(key: string): T | null => (risk.get(key) ?? null) as T | null,
      set: (key, value, at) => { risk.set(key, value); writes.push({ key, value, at }); },
      delete: () => readOnly('risk.delete'),
    },
    decisions: {
      // 0: not recorded yet, the owner gives the real id (record-decision.ts)
      insert: (d) => { decisions.push(d); return 0; },
    },
    recorded: () => [...decisions],
    riskWrites: () => [...writes],
  };
}

/** Daily bars kept in memory for a process without the SQLite cache, same reads as store/bars.ts. */
export function memoryBars(): BarRepo {
  const bars = new Map<string, Map<string, DailyBar>>();
  return {
    upsert: (list) => {
      for (const b of list) {
        const of = bars.get(b.symbol) ?? new Map<string, DailyBar>();
        of.set(b.date, b);
        bars.set(b.symbol, of);
      }
    },
    range: (symbol, count, endDate) => {
      const all = [...(bars.get(symbol)?.values() ?? [])]
        .filter((b) => endDate === undefined || b.date <= endDate)
        .sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
      return all.slice(Math.max(0, all.length - count));
    },
  };
}

