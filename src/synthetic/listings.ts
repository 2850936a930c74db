import type { EpochMs, Exchange } from '../domain/index.js';
import { hash32 } from './hash-random.js';

/**
 * Listings that are not plain common stocks, or that carry an exchange designation: the names an
 * autonomous buyer must not touch, so the simulator lists them and tests can see the daemon leave
 * them alone. Codes and names are fixed (a watch list stays valid whatever the seed); prices come
 * from the seed like every other symbol's.
 */
export type SimProduct = 'stock' | 'preferred' | 'etf' | 'etn' | 'spac';

/** Exchange designations as inquire-price reports them (docs/kis-wire.md §6.1). */
export type SimDesignation =
  | 'administrative' // 관리종목 (51)
  | 'investment-risk' // 투자위험 (52)
  | 'investment-warning' // 투자경고 (53)
  | 'investment-caution' // 투자주의 (54)
  | 'liquidation-trading' // 정리매매, the last days before a delisting
  | 'unfaithful-disclosure' // 불성실공시: the ranking flag only, inquire-price shows nothing of it
  | 'halted' // 거래정지 (58): suspended all day, orders refused, nothing matched
  | 'temporary-halt' // 임시정지 (temp_stop_yn): half an hour a day at a seeded time, orders refused, nothing matched
  | 'short-term-overheating' // 단기과열 (59)
  | 'vi'; // prone to volatility interruptions: a two-minute VI every half hour of the regular session

export interface SpecialListing {
  code: string;
  name: string;
  exchange: Exchange;
  sector: string;
  product: SimProduct;
  designations: readonly SimDesignation[];
  /** crdt_able_yn: brokers lend on none of the designated names */
  creditAllowed: boolean;
  /** price level in won and daily traded value: busy enough to reach the top 30 of the rankings */
  home: number;
  turnover: number;
}

const base = { designations: [] as readonly SimDesignation[], creditAllowed: true };

/**
 * Codes stay clear of the ordinary universe's (six digits ending in 0, 010000–499990): ETFs and
 * SPACs take the letter codes of new listings, ETNs 'Q' + six digits (§6), preferred shares end in
 * 5 or a letter, designated stocks sit at 500000 and above.
 */
export const SPECIAL_LISTINGS: readonly SpecialListing[] = [
  { ...base, code: '0091C0', name: 'KODEX 미국반도체', exchange: 'KOSPI', sector: 'ETF', product: 'etf', home: 14_000, turnover: 2.5e11 },
  { ...base, code: '0080G0', name: 'TIGER 코리아밸류업', exchange: 'KOSPI', sector: 'ETF', product: 'etf', home: 11_000, turnover: 1.2e11 },
  { ...base, code: '0093A0', name: 'PLUS 고배당주', exchange: 'KOSPI', sector: 'ETF', product: 'etf', home: 18_000, turnover: 8e10 },
  { ...base, code: '0087F0', name: 'RISE 2차전지TOP10', exchange: 'KOSPI', sector: 'ETF', product: 'etf', home: 7_000, turnover: 6e10 },
  { ...base, code: 'Q500001', name: '신한 레버리지 WTI원유 선물 ETN', exchange: 'KOSPI', sector: 'ETN', product: 'etn', home: 9_000, turnover: 6e10, creditAllowed: false },
  { ...base, code: 'Q530036', name: '삼성 인버스 2X 코스닥150 선물 ETN', exchange: 'KOSPI', sector: 'ETN', product: 'etn', home: 4_000, turnover: 5e10, creditAllowed: false },
  { ...base, code: '0072Z0', name: '하나금융스팩35호', exchange: 'KOSDAQ', sector: '금융', product: 'spac', home: 2_200, turnover: 2e10, creditAllowed: false },
  { ...base, code: '005935', name: '삼성전자우', exchange: 'KOSPI', sector: '전기·전자', product: 'preferred', home: 60_000, turnover: 2e11 },
  { ...base, code: '00088K', name: '한화3우B', exchange: 'KOSPI', sector: '화학', product: 'preferred', home: 24_000, turnover: 3e10 },
  { ...base, code: '500010', name: '새솔바이오', exchange: 'KOSDAQ', sector: '의약품', product: 'stock', designations: ['administrative'], creditAllowed: false, home: 1_800, turnover: 3e10 },
  { ...base, code: '500020', name: '푸른제약', exchange: 'KOSDAQ', sector: '의약품', product: 'stock', designations: ['investment-risk'], creditAllowed: false, home: 12_000, turnover: 1.5e11 },
  { ...base, code: '500030', name: '한울테크', exchange: 'KOSDAQ', sector: 'IT 서비스', product: 'stock', designations: ['investment-warning'], creditAllowed: false, home: 8_000, turnover: 1.2e11 },
  { ...base, code: '500040', name: '비전소프트', exchange: 'KOSDAQ', sector: 'IT 서비스', product: 'stock', designations: ['investment-caution'], home: 5_000, turnover: 9e10 },
  { ...base, code: '500050', name: '다산전자', exchange: 'KOSDAQ', sector: '전기·전자', product: 'stock', designations: ['administrative', 'liquidation-trading'], creditAllowed: false, home: 1_200, turnover: 2e10 },
  { ...base, code: '500060', name: '은하엔터', exchange: 'KOSDAQ', sector: '오락·문화', product: 'stock', designations: ['unfaithful-disclosure'], home: 6_000, turnover: 7e10 },
  { ...base, code: '500070', name: '대륙건설', exchange: 'KOSPI', sector: '건설업', product: 'stock', designations: ['halted'], creditAllowed: false, home: 3_000, turnover: 4e10 },
  { ...base, code: '500080', name: '소망게임즈', exchange: 'KOSDAQ', sector: '오락·문화', product: 'stock', designations: ['short-term-overheating'], creditAllowed: false, home: 9_000, turnover: 1.3e11 },
  { ...base, code: '500090', name: '참빛반도체', exchange: 'KOSDAQ', sector: '전기·전자', product: 'stock', designations: ['vi'], home: 7_500, turnover: 1.1e11 },
  { ...base, code: '500110', name: '온누리로봇', exchange: 'KOSDAQ', sector: '기계', product: 'stock', designations: ['temporary-halt'], home: 15_000, turnover: 6e10 },
  { ...base, code: '500100', name: '미래로통신', exchange: 'KOSDAQ', sector: '통신업', product: 'stock', creditAllowed: false, home: 4_500, turnover: 8e10 },
];

/** What inquire-price's status fields say of a listing (docs/kis-wire.md §6.1). */
export interface ListingStatus {
  /** iscd_stat_cls_code */
  statusCode: string;
  /** mrkt_warn_cls_code: '00' none; 01/02/03 caution/warning/risk as in the KIS master files (⚠ not in the workbook) */
  marketWarning: string;
  tempStop: boolean;
  vi: boolean;
  shortTermOverheating: boolean;
  liquidationTrading: boolean;
  administrative: boolean;
  creditAllowed: boolean;
}

/** hash stream of the temporary-halt windows (hash-random.ts numbers the others) */
const HALT_STREAM = 101;
export const TEMP_HALT_MINUTES = 30;

/**
 * The minutes [from, to) of continuous trading in which a 'temporary-halt' listing is halted on a
 * day: half an hour, starting somewhere after the first half hour, decided by the seed.
 */
export function tempHaltWindow(seed: number, index: number, dayNo: number, steps: number): { from: number; to: number } {
  const room = Math.max(1, steps - 30 - TEMP_HALT_MINUTES);
  const from = 30 + (hash32(seed, HALT_STREAM, index, dayNo) % room);
  return { from, to: Math.min(steps, from + TEMP_HALT_MINUTES) };
}

/** A VI lasts two minutes (KRX); the 'vi' listing has one every half hour of continuous trading. */
export function viActive(designations: readonly SimDesignation[], at: EpochMs, continuous: boolean): boolean {
  return continuous && designations.includes('vi') && Math.floor(at / 60_000) % 30 < 2;
}

export function listingStatus(l: { designations: readonly SimDesignation[]; creditAllowed: boolean }, now: { vi: boolean; tempStop: boolean }): ListingStatus {
  const d = l.designations;
  const has = (x: SimDesignation) => d.includes(x);
  // iscd_stat_cls_code holds one value: the weightiest designation wins, 55/57 (credit) when none
  const statusCode = has('halted') ? '58' : has('administrative') ? '51' : has('investment-risk') ? '52'
    : has('investment-warning') ? '53' : has('investment-caution') ? '54' : has('short-term-overheating') ? '59'
      : l.creditAllowed ? '55' : '57';
  const marketWarning = has('investment-risk') ? '03' : has('investment-warning') ? '02' : has('investment-caution') ? '01' : '00';
  return {
    statusCode, marketWarning, tempStop: now.tempStop, vi: now.vi, shortTermOverheating: has('short-term-overheating'),
    liquidationTrading: has('liquidation-trading'), administrative: has('administrative'), creditAllowed: l.creditAllowed,
  };
}
