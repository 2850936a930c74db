-- kis-trader trade log, schema 5: round trips for review (README "SQL interface", docs/review.md).
-- A stable interface like the views of schema 4: new columns may be added, none renamed or removed.
--
-- One row per entry (buy) order of the daemon, its shares matched FIFO per symbol to the daemon's exit
-- fills. Money is integer won and exact: a fill matched in parts splits its value, commission and tax
-- by cumulative rounding (part k of a fill gets round(x·end/qty) − round(x·start/qty)), so the parts of
-- every fill add up to the fill. Gross, commission, tax and net are of the closed shares only.
--
-- A sell of more shares than the daemon's fills hold (bought outside its log) matches only what is held:
-- the running position is the fill quantities' running sum reflected at zero, S − min(0, min S).
-- Known limit: a split between entry and exit (corporate_actions) is not applied here; such a trip stays
-- open with the pre-split quantity. positions and v_daily_pnl do apply it.
CREATE VIEW v_round_trips AS
WITH
signed AS (
  SELECT f.id, f.order_id, f.symbol, f.side, f.qty, f.value, f.commission, f.tax, f.at, f.trading_date,
         SUM(CASE f.side WHEN 'buy' THEN f.qty ELSE -f.qty END)
           OVER (PARTITION BY f.symbol ORDER BY f.id ROWS UNBOUNDED PRECEDING) AS s
  FROM fills f JOIN orders o ON o.id = f.order_id
  WHERE o.origin = 'daemon'
),
held AS (
  SELECT *, s - MIN(0, MIN(s) OVER (PARTITION BY symbol ORDER BY id ROWS UNBOUNDED PRECEDING)) AS after
  FROM signed
),
-- eff: the shares of a fill that take part in matching (a sell: only those held before it)
lots AS (
  SELECT *, CASE side WHEN 'buy' THEN qty
                 ELSE COALESCE(LAG(after) OVER (PARTITION BY symbol ORDER BY id), 0) - after END AS eff
  FROM held
),
ranged AS (
  SELECT *, SUM(eff) OVER (PARTITION BY symbol, side ORDER BY id ROWS UNBOUNDED PRECEDING) AS hi
  FROM lots WHERE eff > 0
),
pieces AS (
  SELECT b.order_id AS entry_order_id, s.id AS exit_fill_id, s.at AS exit_at,
         MIN(b.hi, s.hi) - MAX(b.hi - b.eff, s.hi - s.eff) AS qty,
         -- share offsets of the piece within the buy fill (b0, b1) and within the sell fill (s0, s1)
         MAX(b.hi - b.eff, s.hi - s.eff) - (b.hi - b.eff) AS b0, MIN(b.hi, s.hi) - (b.hi - b.eff) AS b1,
         MAX(b.hi - b.eff, s.hi - s.eff) - (s.hi - s.eff) AS s0, MIN(b.hi, s.hi) - (s.hi - s.eff) AS s1,
         b.qty AS bq, b.value AS bv, b.commission AS bc, b.tax AS bt,
         s.qty AS sq, s.value AS sv, s.commission AS sc, s.tax AS st
  FROM ranged b JOIN ranged s
    ON s.symbol = b.symbol AND b.side = 'buy' AND s.side = 'sell'
   AND s.hi - s.eff < b.hi AND b.hi - b.eff < s.hi
),
-- round(x·k/q) half up is (2·x·k + q) / (2·q) in integers (x, k, q ≥ 0)
parts AS (
  SELECT entry_order_id, exit_fill_id, exit_at, qty,
         (2 * bv * b1 + bq) / (2 * bq) - (2 * bv * b0 + bq) / (2 * bq) AS entry_value,
         (2 * bc * b1 + bq) / (2 * bq) - (2 * bc * b0 + bq) / (2 * bq) AS entry_commission,
         (2 * bt * b1 + bq) / (2 * bq) - (2 * bt * b0 + bq) / (2 * bq) AS entry_tax,
         (2 * sv * s1 + sq) / (2 * sq) - (2 * sv * s0 + sq) / (2 * sq) AS exit_value,
         (2 * sc * s1 + sq) / (2 * sq) - (2 * sc * s0 + sq) / (2 * sq) AS exit_commission,
         (2 * st * s1 + sq) / (2 * sq) - (2 * st * s0 + sq) / (2 * sq) AS exit_tax
  FROM pieces
),
matched AS (
  SELECT entry_order_id, SUM(qty) AS closed_qty,
         SUM(entry_value) AS entry_value, SUM(entry_commission) AS entry_commission, SUM(entry_tax) AS entry_tax,
         SUM(exit_value) AS exit_value, SUM(exit_commission) AS exit_commission, SUM(exit_tax) AS exit_tax,
         MAX(exit_at) AS closed_at, MAX(exit_fill_id) AS last_exit_fill_id
  FROM parts GROUP BY entry_order_id
),
entries AS (
  SELECT order_id, symbol, SUM(qty) AS qty, SUM(value) AS value, SUM(commission) AS commission, SUM(tax) AS tax,
         MIN(at) AS opened_at, MIN(trading_date) AS trading_date
  FROM lots WHERE side = 'buy' GROUP BY order_id
),
trips AS (
  SELECT e.order_id AS entry_order_id, e.symbol, o.strategy, e.trading_date, e.opened_at, e.qty,
         COALESCE(m.closed_qty, 0) AS closed_qty, e.value AS order_value,
         e.value + e.commission + e.tax AS order_cost,
         COALESCE(m.entry_value, 0) AS entry_value, COALESCE(m.exit_value, 0) AS exit_value,
         COALESCE(m.entry_commission, 0) + COALESCE(m.exit_commission, 0) AS commission,
         COALESCE(m.entry_tax, 0) + COALESCE(m.exit_tax, 0) AS tax,
         COALESCE(m.entry_value, 0) + COALESCE(m.entry_commission, 0) + COALESCE(m.entry_tax, 0) AS closed_cost,
         m.closed_at, m.last_exit_fill_id
  FROM entries e JOIN orders o ON o.id = e.order_id
  LEFT JOIN matched m ON m.entry_order_id = e.order_id
)
SELECT
  t.entry_order_id,
  t.symbol,
  t.strategy,
  CASE WHEN t.closed_qty = t.qty THEN 'closed' ELSE 'open' END                      AS status,
  t.opened_at,
  -- the last matched exit fill (also while shares are left)
  t.closed_at,
  CASE WHEN t.closed_qty = t.qty THEN (t.closed_at - t.opened_at) / 1000 END        AS holding_seconds,
  t.qty,
  t.closed_qty,
  (2 * t.order_value + t.qty) / (2 * t.qty)                                         AS entry_price,
  CASE WHEN t.closed_qty > 0 THEN (2 * t.exit_value + t.closed_qty) / (2 * t.closed_qty) END AS exit_price,
  t.entry_value,
  t.exit_value,
  t.exit_value - t.entry_value                                                      AS gross_pnl,
  t.commission,
  t.tax,
  t.exit_value - t.entry_value - t.commission - t.tax                               AS net_pnl,
  -- of the entry cost of the closed shares, truncated toward zero
  CASE WHEN t.closed_qty > 0 AND t.closed_cost > 0
    THEN (t.exit_value - t.entry_value - t.commission - t.tax) * 10000 / t.closed_cost END AS return_bp,
  (SELECT d.rule FROM fills xf JOIN orders xo ON xo.id = xf.order_id JOIN decisions d ON d.id = xo.decision_id
    WHERE xf.id = t.last_exit_fill_id)                                              AS exit_rule,
  t.trading_date,
  -- the shares still held and their entry cost (value + fees), for unrealised P&L at a mark
  t.qty - t.closed_qty                                                              AS open_qty,
  t.order_cost - t.closed_cost                                                      AS open_cost
FROM trips t;
