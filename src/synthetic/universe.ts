import { stockCode } from '../domain/index.js';
import type { Exchange, StockCode } from '../domain/index.js';
import { STREAM, hash32, uniform } from './hash-random.js';
import { SPECIAL_LISTINGS } from './listings.js';
import type { SimDesignation, SimProduct } from './listings.js';

/**
 * The listed stocks of the simulated exchange. Codes, names and markets come from a fixed
 * universe key, so a watch list written for the simulator stays valid whatever the seed; the
 * economics (price level, volatility, liquidity) come from the seed.
 */
export interface SimSymbol {
  code: StockCode;
  name: string;
  exchange: Exchange;
  sector: string;
  /** position in the universe; hashes use it instead of the code */
  index: number;
  /** the level the price mean-reverts to, in won */
  homePrice: number;
  /** standard deviation of the daily log return, e.g. 0.025 */
  dailySigma: number;
  /** typical shares traded per day */
  avgVolume: number;
  listedShares: number;
  /** margin rate in %, shown as marg_rate / item_mgna_rt_name */
  marginRate: number;
  /** common stock, or the kind the ranking exclusion flags name (listings.ts) */
  product: SimProduct;
  /** exchange designations shown by inquire-price and honoured by the rankings (listings.ts) */
  designations: readonly SimDesignation[];
  creditAllowed: boolean;
}

const UNIVERSE_KEY = 20260101;

/** Large caps that the KIS fixtures and examples use, so those examples work against the simulator. */
const ANCHORS: { code: string; name: string; exchange: Exchange; sector: string; home: number; turnover: number }[] = [
  { code: '005930', name: '삼성전자', exchange: 'KOSPI', sector: '전기·전자', home: 72_000, turnover: 8e11 },
  { code: '000660', name: 'SK하이닉스', exchange: 'KOSPI', sector: '전기·전자', home: 180_000, turnover: 5e11 },
  { code: '035420', name: 'NAVER', exchange: 'KOSPI', sector: '서비스업', home: 200_000, turnover: 1.5e11 },
];

const PREFIXES = [
  '한빛', '대양', '청솔', '새한', '동진', '세원', '미성', '가람', '하나로', '태림', '진성', '으뜸', '솔빛', '대명',
  '누리', '해성', '보성', '백산', '금강', '동방', '서진', '한결', '유진', '청해', '아라', '초록', '온새', '다온',
];

const SUFFIXES: { word: string; sector: string }[] = [
  { word: '전자', sector: '전기·전자' }, { word: '반도체', sector: '전기·전자' }, { word: '디스플레이', sector: '전기·전자' },
  { word: '화학', sector: '화학' }, { word: '소재', sector: '화학' }, { word: '제약', sector: '의약품' },
  { word: '바이오', sector: '의약품' }, { word: '건설', sector: '건설업' }, { word: '중공업', sector: '기계' },
  { word: '정밀', sector: '기계' }, { word: '에너지', sector: '전기가스업' }, { word: '시스템', sector: '서비스업' },
  { word: '테크', sector: 'IT 서비스' }, { word: '소프트', sector: 'IT 서비스' }, { word: '통신', sector: '통신업' },
  { word: '로직스', sector: '운수창고업' }, { word: '푸드', sector: '음식료품' }, { word: '엔터', sector: '오락·문화' },
  { word: '게임즈', sector: '오락·문화' }, { word: '모빌리티', sector: '운수장비' }, { word: '철강', sector: '철강금속' },
  { word: '산업', sector: '제조업' },
];

function pick<T>(items: readonly T[], h: number): T {
  const item = items[h % items.length];
  if (item === undefined) throw new Error('empty list');
  return item;
}

/** log-uniform between lo and hi */
function logUniform(lo: number, hi: number, u: number): number {
  return Math.exp(Math.log(lo) + (Math.log(hi) - Math.log(lo)) * u);
}

type RawListing = {
  code: string; name: string; exchange: Exchange; sector: string; home: number | null; turnover: number | null;
  product: SimProduct; designations: readonly SimDesignation[]; creditAllowed: boolean;
};

const ORDINARY = { product: 'stock' as const, designations: [] as readonly SimDesignation[], creditAllowed: true };

/**
 * `count` ordinary stocks (the anchors first), then the special listings of listings.ts (ETFs,
 * ETNs, a SPAC, preferred shares, designated stocks) after them, so adding those changed no
 * ordinary symbol's index, code or price path.
 */
export function buildUniverse(seed: number, count: number): SimSymbol[] {
  const codes = new Set<string>();
  const names = new Set<string>();
  const raw: RawListing[] = [];
  for (const a of ANCHORS) {
    if (raw.length >= count) break;
    codes.add(a.code);
    names.add(a.name);
    raw.push({ ...a, ...ORDINARY });
  }
  for (let i = 0; raw.length < count; i++) {
    // codes end in 0 like most KRX common stocks; the range stays clear of ETN 'Q' codes
    const code = String((hash32(UNIVERSE_KEY, STREAM.universe, i, 1) % 49_000 + 1_000) * 10).padStart(6, '0');
    const suffix = pick(SUFFIXES, hash32(UNIVERSE_KEY, STREAM.universe, i, 3));
    const name = pick(PREFIXES, hash32(UNIVERSE_KEY, STREAM.universe, i, 2)) + suffix.word;
    if (codes.has(code) || names.has(name)) continue;
    codes.add(code);
    names.add(name);
    const exchange: Exchange = uniform(UNIVERSE_KEY, STREAM.universe, i, 4) < 0.4 ? 'KOSPI' : 'KOSDAQ';
    raw.push({ code, name, exchange, sector: suffix.sector, home: null, turnover: null, ...ORDINARY });
  }
  for (const l of SPECIAL_LISTINGS) {
    // the code ranges differ by construction (listings.ts); a clash would be a bug in that table
    if (codes.has(l.code) || names.has(l.name)) throw new Error(`special listing ${l.code} ${l.name} clashes with the universe`);
    codes.add(l.code);
    names.add(l.name);
    raw.push({ ...l });
  }

  return raw.map((r, index): SimSymbol => {
    const u = (k: number) => uniform(seed, STREAM.universe, index, k);
    // KOSDAQ names trade lower and move more, as on the real boards
    const home = r.home ?? (r.exchange === 'KOSPI' ? logUniform(3_000, 600_000, u(10)) : logUniform(1_000, 150_000, u(10)));
    const dailySigma = (r.exchange === 'KOSPI' ? 0.012 : 0.02) + u(11) * 0.025;
    const turnover = r.turnover ?? logUniform(3e8, 3e11, u(12));
    const avgVolume = Math.max(2_000, Math.round(turnover / home));
    const marketCap = turnover * logUniform(100, 1_500, u(13));
    const listedShares = Math.max(1_000_000, Math.round(marketCap / home));
    const marginRate = r.creditAllowed ? pick([20, 20, 30, 40, 50, 100], Math.floor(u(14) * 6)) : 100;
    return {
      code: stockCode(r.code),
      name: r.name,
      exchange: r.exchange,
      sector: r.sector,
      index,
      homePrice: home,
      dailySigma,
      avgVolume,
      listedShares,
      marginRate,
      product: r.product,
      designations: r.designations,
      creditAllowed: r.creditAllowed,
    };
  });
}
