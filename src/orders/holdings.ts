import type { Holding, Shares, StockCode } from '../domain/index.js';

/**
 * Compares what the daemon believes it holds (from its own fills) with the broker's balance.
 * The broker may hold MORE of a name than the daemon bought (the owner's own shares): that part
 * is external and the daemon never sells it. Holding LESS than the daemon's fills say, with no
 * order of ours working in that name, cannot be explained by anything the daemon did: it is an
 * anomaly, and entries halt until an operator looks (docs/architecture.md §1 exactly-once, issue policy).
 */
export interface HoldingsDiff {
  anomalies: { symbol: StockCode; daemonQty: Shares; brokerQty: Shares }[];
  external: { symbol: StockCode; qty: number }[];
}

export function reconcileHoldings(input: {
  daemon: readonly { symbol: StockCode; qty: Shares }[];
  broker: readonly Holding[];
  openOrderSymbols: ReadonlySet<StockCode>;
}): HoldingsDiff {
  const brokerQty = new Map<StockCode, Shares>();
  for (const h of input.broker) brokerQty.set(h.symbol, ((brokerQty.get(h.symbol) ?? 0) + h.qty) as Shares);
  const daemonQty = new Map<StockCode, Shares>();
  for (const p of input.daemon) if (p.qty > 0) daemonQty.set(p.symbol, p.qty);

  const anomalies: HoldingsDiff['anomalies'] = [];
  const external: HoldingsDiff['external'] = [];
  for (const [symbol, qty] of daemonQty) {
    const held = brokerQty.get(symbol) ?? (0 as Shares);
    if (held < qty && !input.openOrderSymbols.has(symbol)) anomalies.push({ symbol, daemonQty: qty, brokerQty: held });
  }
  for (const [symbol, held] of brokerQty) {
    const extra = held - (daemonQty.get(symbol) ?? 0);
    if (extra > 0) external.push({ symbol, qty: extra });
  }
  return { anomalies, external };
}

/** What a sell may use: the daemon's own position, never more than the broker says is sellable. */
export function sellableQty(daemonQty: Shares, holding: Holding | undefined): Shares {
  return Math.max(0, Math.min(daemonQty, holding?.sellableQty ?? 0)) as Shares;
}
