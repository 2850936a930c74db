-- kis-trader trade log, schema 2: corporate actions (splits, bonus issues, reverse splits).
-- Recorded by reconcile when the broker's quantity changed by a clean ratio and the reference price
-- moved by its inverse (src/orders/corporate-actions.ts). The daemon's positions stay a function of
-- the log: fills with id <= after_fill_id of the symbol count qty × ratio_num / ratio_den shares at
-- the same cost (src/domain/positions.ts). The `positions` view of schema 1 sums raw fills and does
-- not apply these; `kis-trader positions` does.

CREATE TABLE corporate_actions (
  id            INTEGER PRIMARY KEY,
  symbol        TEXT    NOT NULL,
  kind          TEXT    NOT NULL CHECK (kind IN ('split', 'reverse-split')),
  ratio_num     INTEGER NOT NULL CHECK (ratio_num > 0),
  ratio_den     INTEGER NOT NULL CHECK (ratio_den > 0 AND ratio_den <> ratio_num),
  -- the daemon's quantity before and after, and the prices that proved it (integer won)
  qty_before    INTEGER NOT NULL CHECK (qty_before > 0),
  qty_after     INTEGER NOT NULL CHECK (qty_after > 0),
  price_before  INTEGER NOT NULL CHECK (price_before > 0),
  price_after   INTEGER NOT NULL CHECK (price_after > 0),
  -- applies to the symbol's fills with id <= this one (0: none yet)
  after_fill_id INTEGER NOT NULL CHECK (after_fill_id >= 0),
  trading_date  TEXT    NOT NULL CHECK (trading_date GLOB '[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]'),
  at            INTEGER NOT NULL,
  CHECK (qty_after * ratio_den = qty_before * ratio_num),
  CHECK ((kind = 'split') = (ratio_num > ratio_den))
) STRICT;
-- the same book adjusted twice (two reconciles seeing the same change) is one action
CREATE UNIQUE INDEX corporate_actions_once ON corporate_actions (symbol, after_fill_id, qty_before);

CREATE TRIGGER corporate_actions_no_update BEFORE UPDATE ON corporate_actions
BEGIN
  SELECT RAISE(ABORT, 'corporate_actions is append-only');
END;
CREATE TRIGGER corporate_actions_no_delete BEFORE DELETE ON corporate_actions
BEGIN
  SELECT RAISE(ABORT, 'corporate_actions is append-only');
END;
