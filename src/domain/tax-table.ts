/**
 * The securities transaction tax on sells, by period (docs/kis-wire.md §11.6): the one table both
 * market/fees.ts (DEFAULT_TAX_TABLE) and config's `market.taxTable` default derive from. It sits
 * in domain/ because config/ may import nothing else (docs/architecture.md §4).
 *
 * `from` is the first SETTLEMENT date (T+2, §11.5) a row applies to: the tax is levied on the
 * transfer, so a sale on 2025-12-29 settled on 2026-01-02 pays the 2026 rate. KOSPI includes the
 * 0.15 % rural special tax (농어촌특별세); KOSDAQ has none; KONEX is 0.10 % throughout. ETFs and
 * ETNs pay no transaction tax at all (market/fees.ts). 2026 reverts to the 2023 level (0.20 %).
 */
export interface TaxTableRow {
  /** YYYYMMDD, first settlement date */
  from: string;
  kospiPpm: number;
  kosdaqPpm: number;
  konexPpm: number;
}

export const KRX_SELL_TAX_TABLE: readonly Readonly<TaxTableRow>[] = [
  { from: '20240101', kospiPpm: 1800, kosdaqPpm: 1800, konexPpm: 1000 },
  { from: '20250101', kospiPpm: 1500, kosdaqPpm: 1500, konexPpm: 1000 },
  { from: '20260101', kospiPpm: 2000, kosdaqPpm: 2000, konexPpm: 1000 },
];
