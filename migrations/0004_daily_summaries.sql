-- kis-trader trade log, schema 4: the after-close daily summary, and views for review (README "SQL interface").
-- The views are a stable interface for users' own queries: new columns may be added, none renamed or removed.

-- One row per trading day, written by the after-close job (src/jobs/after-close.ts); a second after-close
-- the same day replaces it. Money is integer won.
CREATE TABLE daily_summaries (
  trading_date    TEXT    PRIMARY KEY CHECK (trading_date GLOB '[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]'),
  at              INTEGER NOT NULL,
  -- the broker's total value and D+0 deposit at the after-close reconcile
  equity          INTEGER NOT NULL,
  cash            INTEGER NOT NULL,
  -- the day's realised P&L of the daemon's own fills, after commission and tax (src/domain/positions.ts)
  realised_pnl    INTEGER NOT NULL,
  -- Σ (broker price × qty − cost) over the daemon's open positions that the broker priced
  unrealised_pnl  INTEGER NOT NULL,
  -- fees and tax of every fill of the day (adopted external orders included, as the fills table holds them)
  commission      INTEGER NOT NULL CHECK (commission >= 0),
  tax             INTEGER NOT NULL CHECK (tax >= 0),
  orders          INTEGER NOT NULL CHECK (orders >= 0),
  fills           INTEGER NOT NULL CHECK (fills >= 0),
  decisions       INTEGER NOT NULL CHECK (decisions >= 0),
  entries_decided INTEGER NOT NULL CHECK (entries_decided >= 0),
  -- { "<symbol>": { "qty": n, "price": won | null, "cost": won } } of the open positions; price null: not priced
  marks           TEXT    NOT NULL CHECK (json_valid(marks) AND json_type(marks) = 'object'),
  config_hash     TEXT    NOT NULL
) STRICT;

-- Every order with the decision that made it and its status history (events oldest first).
-- External (adopted) orders have no decision: rule, outcome, guards and decision_config_hash are NULL.
CREATE VIEW v_order_timeline AS
SELECT
  o.id             AS order_id,
  o.trading_date,
  o.origin,
  o.strategy,
  o.symbol,
  o.side,
  o.type,
  o.qty,
  o.price,
  o.status,
  o.filled_qty,
  o.venue_order_id,
  o.reason,
  o.intent_key,
  o.config_hash,
  o.created_at,
  o.updated_at,
  o.decision_id,
  d.rule,
  d.outcome,
  d.guards,
  d.config_hash    AS decision_config_hash,
  (SELECT json_group_array(json_object(
            'id', e.id, 'at', e.at, 'from', e.from_status, 'to', e.to_status, 'event', e.event, 'details', json(e.details))
          ORDER BY e.id)
     FROM order_events e WHERE e.order_id = o.id) AS events
FROM orders o
LEFT JOIN decisions d ON d.id = o.decision_id;

-- Per trading day, strategy and guard: how many entry decisions checked the guard and how many it blocked
-- (its verdict ok = false). A decision blocked by two guards counts for both.
CREATE VIEW v_guard_stats AS
SELECT
  d.trading_date,
  d.strategy,
  json_extract(g.value, '$.guard')                                                  AS guard,
  COUNT(DISTINCT d.id)                                                              AS checked,
  COUNT(DISTINCT CASE WHEN json_extract(g.value, '$.ok') = 0 THEN d.id END)         AS blocked
FROM decisions d, json_each(d.guards) g
WHERE d.kind = 'entry'
GROUP BY d.trading_date, d.strategy, guard;

-- The daily summaries with the drawdown of equity from its running peak, in won and in basis points
-- (integer: truncated toward zero). Days without an after-close row are simply absent.
CREATE VIEW v_daily_pnl AS
SELECT
  trading_date,
  realised_pnl,
  unrealised_pnl,
  commission                                                     AS fees,
  tax,
  equity,
  peak_equity,
  peak_equity - equity                                           AS drawdown,
  CASE WHEN peak_equity > 0 THEN (peak_equity - equity) * 10000 / peak_equity ELSE 0 END AS drawdown_bp
FROM (
  SELECT *, MAX(equity) OVER (ORDER BY trading_date ROWS UNBOUNDED PRECEDING) AS peak_equity
  FROM daily_summaries
);
