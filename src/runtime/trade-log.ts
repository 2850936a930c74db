import type { AccountSnapshot, Clock, Logger, TradingDate } from '../domain/index.js';
import { FRESH_LOG_HALT_KIND, markTradeLogChecked, noteTradeLogBirth } from '../store/index.js';
import type { Store } from '../store/index.js';

/**
 * The daemon's start-up look at a new trade log (issue 9 item 3). Created before the first
 * reconcile (it notes whether the log has any order at all); `after` runs with what that
 * reconcile found at the broker. A new log beside an account that holds shares or has orders
 * today halts entries (exits keep running) until the operator runs `kis-trader adopt`, restores
 * a backup, or says `resume` because the shares are their own.
 */
export function freshTradeLogGuard(store: Store, clock: Clock, log: Logger): {
  after(account: AccountSnapshot, today: TradingDate, halt: (reason: string, details: Record<string, unknown>) => void): void;
} {
  const fresh = noteTradeLogBirth(store.db, store.kv, clock.now());
  return {
    after(account, today, halt) {
      if (!fresh) return;
      const holdings = account.holdings.filter((h) => h.qty > 0).map((h) => `${h.symbol}×${h.qty}`);
      // a new log has no order of its own: whatever reconcile found today it adopted as external
      const orders = store.orders.forDate(today).filter((o) => o.origin === 'external').length;
      store.transaction(() => {
        if (holdings.length > 0 || orders > 0) {
          halt(`the trade log ${store.path} is new, but the broker account holds ${holdings.length} name(s) and has ${orders} order(s) today: `
            + "if the log was lost, restore a backup or run `kis-trader adopt` to take them over as the daemon's own (exits then manage them); "
            + 'if they are your own, run `kis-trader resume`', { kind: FRESH_LOG_HALT_KIND, path: store.path, holdings, ordersToday: orders });
        } else {
          log.info({ path: store.path }, 'new trade log, and nothing at the broker to take over');
        }
        markTradeLogChecked(store.kv, clock.now());
      });
    },
  };
}
