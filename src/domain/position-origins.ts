import { strategyOfIntentKey } from './ids.js';
import type { StockCode } from './types.js';
import type { FillRepo, OrderRepo } from './store-ports.js';
import type { TradingDate } from './time.js';

/** How the daemon's current position in a symbol began: the buy fill that took it from flat. */
export interface PositionOrigin {
  openedDate: TradingDate;
  /** the order of that fill: identifies this position among the symbol's past ones */
  openingOrderId: number;
  /** the strategy that order was decided by (its intent key); null for an order of another shape */
  strategy: string | null;
}

/**
 * The origin of every position the daemon's own fills make, replayed from the trade log so a restart
 * knows it too. Fills of orders adopted as external are not the daemon's and do not count.
 */
export function positionOrigins(orders: Pick<OrderRepo, 'byId'>, fills: Pick<FillRepo, 'all'>): Map<StockCode, PositionOrigin> {
  const qty = new Map<StockCode, number>();
  const origins = new Map<StockCode, PositionOrigin>();
  const daemon = new Map<number, string | null>();
  for (const f of fills.all()) {
    let strategy = daemon.get(f.orderId);
    if (strategy === undefined) {
      const order = orders.byId(f.orderId);
      if (order?.origin !== 'daemon') continue;
      strategy = strategyOfIntentKey(order.intentKey);
      daemon.set(f.orderId, strategy);
    }
    const before = qty.get(f.symbol) ?? 0;
    if (f.side === 'buy' && before === 0) origins.set(f.symbol, { openedDate: f.tradingDate, openingOrderId: f.orderId, strategy });
    const after = Math.max(0, before + (f.side === 'buy' ? f.qty : -Number(f.qty)));
    qty.set(f.symbol, after);
    if (after === 0) origins.delete(f.symbol);
  }
  return origins;
}
