-- kis-trader trade log, schema 1.
-- STRICT tables so that a fractional won (71500.5) or a string in an INTEGER column is an error,
-- not a silent coercion (docs/stack.md §6). Money and quantities are INTEGER won / shares; instants are
-- INTEGER epoch ms (UTC); trading dates are TEXT 'YYYYMMDD' in KST, as KIS writes them.
-- No PRAGMA journal_mode / VACUUM here: they cannot run inside the migration's transaction.

-- Why each order was (or was not) made: written for every evaluation, also "no trade".
CREATE TABLE decisions (
  id           INTEGER PRIMARY KEY,
  at           INTEGER NOT NULL,
  trading_date TEXT    NOT NULL CHECK (trading_date GLOB '[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]'),
  symbol       TEXT    NOT NULL,
  kind         TEXT    NOT NULL CHECK (kind IN ('entry', 'exit')),
  strategy     TEXT    NOT NULL,
  inputs       TEXT    NOT NULL CHECK (json_valid(inputs)),
  rule         TEXT    NOT NULL,
  guards       TEXT    NOT NULL CHECK (json_valid(guards) AND json_type(guards) = 'array'),
  outcome      TEXT    NOT NULL CHECK (outcome IN ('order', 'no-trade', 'blocked')),
  intent_key   TEXT,
  config_hash  TEXT    NOT NULL
) STRICT;
CREATE INDEX decisions_by_date ON decisions (trading_date, id);
CREATE INDEX decisions_by_intent ON decisions (intent_key) WHERE intent_key IS NOT NULL;

-- One row per order intent. Written BEFORE the POST (docs/architecture.md §2 rule 1); intent_key makes a
-- second evaluation of the same signal a no-op.
CREATE TABLE orders (
  id             INTEGER PRIMARY KEY,
  intent_key     TEXT    NOT NULL UNIQUE,
  origin         TEXT    NOT NULL CHECK (origin IN ('daemon', 'external')),
  symbol         TEXT    NOT NULL,
  side           TEXT    NOT NULL CHECK (side IN ('buy', 'sell')),
  type           TEXT    NOT NULL CHECK (type IN ('limit', 'market')),
  qty            INTEGER NOT NULL CHECK (qty > 0),
  price          INTEGER NOT NULL CHECK (price >= 0),
  trading_date   TEXT    NOT NULL CHECK (trading_date GLOB '[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]'),
  status         TEXT    NOT NULL CHECK (status IN ('pending', 'submitting', 'accepted', 'partial', 'filled',
                                                    'cancelled', 'expired', 'rejected', 'unknown', 'failed')),
  venue_order_id TEXT,
  branch         TEXT,
  filled_qty     INTEGER NOT NULL DEFAULT 0 CHECK (filled_qty >= 0 AND filled_qty <= qty),
  reject_code    TEXT,
  reject_message TEXT,
  decision_id    INTEGER REFERENCES decisions (id),
  config_hash    TEXT    NOT NULL,
  reason         TEXT    NOT NULL,
  created_at     INTEGER NOT NULL,
  updated_at     INTEGER NOT NULL,
  submitted_at   INTEGER
) STRICT;
-- KIS order numbers (ODNO) restart every trading day, so they are unique only per date.
CREATE UNIQUE INDEX orders_by_venue_id ON orders (trading_date, venue_order_id) WHERE venue_order_id IS NOT NULL;
CREATE INDEX orders_by_status ON orders (status);
CREATE INDEX orders_by_date ON orders (trading_date, id);
CREATE INDEX orders_by_decision ON orders (decision_id) WHERE decision_id IS NOT NULL;

-- Append-only status history of every order.
CREATE TABLE order_events (
  id          INTEGER PRIMARY KEY,
  order_id    INTEGER NOT NULL REFERENCES orders (id),
  at          INTEGER NOT NULL,
  from_status TEXT,
  to_status   TEXT    NOT NULL,
  event       TEXT    NOT NULL,
  details     TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(details))
) STRICT;
CREATE INDEX order_events_by_order ON order_events (order_id, id);

CREATE TRIGGER order_events_no_update BEFORE UPDATE ON order_events
BEGIN
  SELECT RAISE(ABORT, 'order_events is append-only');
END;
CREATE TRIGGER order_events_no_delete BEFORE DELETE ON order_events
BEGIN
  SELECT RAISE(ABORT, 'order_events is append-only');
END;

-- Every fill the broker made, exactly once (fill_key = date.venueOrderId.cumulativeQty).
CREATE TABLE fills (
  id           INTEGER PRIMARY KEY,
  fill_key     TEXT    NOT NULL UNIQUE,
  order_id     INTEGER NOT NULL REFERENCES orders (id),
  symbol       TEXT    NOT NULL,
  side         TEXT    NOT NULL CHECK (side IN ('buy', 'sell')),
  qty          INTEGER NOT NULL CHECK (qty > 0),
  price        INTEGER NOT NULL CHECK (price >= 0),
  value        INTEGER NOT NULL CHECK (value >= 0),
  commission   INTEGER NOT NULL CHECK (commission >= 0),
  tax          INTEGER NOT NULL CHECK (tax >= 0),
  trading_date TEXT    NOT NULL CHECK (trading_date GLOB '[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]'),
  at           INTEGER NOT NULL
) STRICT;
CREATE INDEX fills_by_order ON fills (order_id, id);
CREATE INDEX fills_by_date ON fills (trading_date, id);
CREATE INDEX fills_by_symbol ON fills (symbol, id);

CREATE TRIGGER fills_no_update BEFORE UPDATE ON fills
BEGIN
  SELECT RAISE(ABORT, 'fills is append-only');
END;
CREATE TRIGGER fills_no_delete BEFORE DELETE ON fills
BEGIN
  SELECT RAISE(ABORT, 'fills is append-only');
END;

-- Net holdings per symbol straight from the fills, for ad-hoc SQL. Average cost and realised P&L
-- need the fills in order, so those are computed in TypeScript (src/store/positions.ts).
CREATE VIEW positions AS
SELECT
  symbol,
  SUM(CASE side WHEN 'buy' THEN qty ELSE -qty END)      AS net_qty,
  SUM(CASE side WHEN 'buy' THEN qty ELSE 0 END)         AS bought_qty,
  SUM(CASE side WHEN 'sell' THEN qty ELSE 0 END)        AS sold_qty,
  SUM(CASE side WHEN 'buy' THEN value ELSE 0 END)       AS buy_value,
  SUM(CASE side WHEN 'sell' THEN value ELSE 0 END)      AS sell_value,
  SUM(commission)                                       AS commission,
  SUM(tax)                                              AS tax,
  COUNT(*)                                              AS fill_count,
  MAX(at)                                               AS last_fill_at
FROM fills
GROUP BY symbol;

-- Raw ranking responses as received: the audit trail of every scan and the input of backtests.
CREATE TABLE scan_snapshots (
  id           INTEGER PRIMARY KEY,
  at           INTEGER NOT NULL,
  trading_date TEXT    NOT NULL CHECK (trading_date GLOB '[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]'),
  kind         TEXT    NOT NULL CHECK (kind IN ('volume', 'fluctuation')),
  params       TEXT    NOT NULL CHECK (json_valid(params)),
  response     TEXT    NOT NULL CHECK (json_valid(response)),
  -- the parsed rows, so that replay does not need the KIS parsers
  parsed_rows  TEXT    NOT NULL CHECK (json_valid(parsed_rows) AND json_type(parsed_rows) = 'array'),
  row_count    INTEGER NOT NULL CHECK (row_count >= 0)
) STRICT;
CREATE INDEX scan_snapshots_by_kind ON scan_snapshots (kind, id);
CREATE INDEX scan_snapshots_by_date ON scan_snapshots (trading_date, id);

-- Daily bar cache (signals read it; the scan refreshes it when stale).
CREATE TABLE daily_bars (
  symbol     TEXT    NOT NULL,
  date       TEXT    NOT NULL CHECK (date GLOB '[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]'),
  open       INTEGER NOT NULL,
  high       INTEGER NOT NULL,
  low        INTEGER NOT NULL,
  close      INTEGER NOT NULL,
  volume     INTEGER NOT NULL CHECK (volume >= 0),
  value      INTEGER NOT NULL CHECK (value >= 0),
  fetched_at INTEGER NOT NULL,
  PRIMARY KEY (symbol, date)
) STRICT, WITHOUT ROWID;

-- Risk state that must survive restarts: halts, day baselines, cooldowns. JSON values.
CREATE TABLE risk_state (
  key        TEXT    PRIMARY KEY,
  value      TEXT    NOT NULL CHECK (json_valid(value)),
  updated_at INTEGER NOT NULL
) STRICT;

-- Small named JSON values that have no table of their own.
CREATE TABLE kv (
  key        TEXT    PRIMARY KEY,
  value      TEXT    NOT NULL CHECK (json_valid(value)),
  updated_at INTEGER NOT NULL
) STRICT;

-- The KIS access token survives restarts here, because each issuance texts the user and KIS
-- allows one per minute (docs/kis-wire.md §3.1). key = environment + app-key fingerprint, never the
-- app key itself. A cleared token keeps last_issue_attempt_at so the one-per-minute rule holds.
CREATE TABLE kis_tokens (
  key                   TEXT    PRIMARY KEY,
  token                 TEXT,
  expires_at            INTEGER,
  issued_at             INTEGER,
  last_issue_attempt_at INTEGER,
  CHECK ((token IS NULL) = (expires_at IS NULL) AND (token IS NULL) = (issued_at IS NULL))
) STRICT;
