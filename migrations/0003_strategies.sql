-- kis-trader trade log, schema 3: several strategies side by side (docs/strategies.md).
-- Every daemon order's intent key names its strategy ('i.<strategy>.<symbol>.<side>.<date>.<signal>',
-- src/domain/ids.ts makeIntentKey); this column shows it for SQL review without a second copy that
-- could disagree. External orders have no strategy.
ALTER TABLE orders ADD COLUMN strategy TEXT GENERATED ALWAYS AS (
  CASE WHEN origin = 'daemon' AND intent_key GLOB 'i.*.*'
    THEN substr(intent_key, 3, instr(substr(intent_key, 3), '.') - 1)
  END
) VIRTUAL;
