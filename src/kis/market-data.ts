import { AppError, kstDateOf } from '../domain/index.js';
import type { CalendarDay, CallOptions, Clock, DailyBar, MarketData, OrderBook, Quote, RankingQuery, RankingSnapshot, StockCode, TradingDate } from '../domain/index.js';
import { callRead } from './call.js';
import type { CallContext } from './call.js';
import { stitchDailyBars } from './daily-bars.js';
import { ENDPOINTS } from './endpoints.js';
import { parseHolidays } from './schemas/calendar.js';
import { parseDailyBarsPage, parseMinuteBars, parseOrderBook, parseQuote } from './schemas/quotations.js';
import type { MinuteBar } from './schemas/quotations.js';
import { parseRanking, toExclusionCode } from './schemas/rankings.js';

/** MarketData over the KIS quotation endpoints (docs/kis-wire.md §6). */
export interface KisMarketData extends MarketData {
  /** today's one-minute bars up to `hhmmss` (max 30 per call, §6.4), oldest first */
  minuteBars(symbol: StockCode, hhmmss: string, opts?: CallOptions): Promise<MinuteBar[]>;
}

export interface MarketDataDeps {
  call: CallContext;
  clock: Clock;
  /** FID_COND_MRKT_DIV_CODE: J = KRX (§6) */
  marketDivCode: string;
}

type Query = Array<readonly [string, string]>;

export function createKisMarketData(deps: MarketDataDeps): KisMarketData {
  const { call, clock } = deps;
  const mkt = deps.marketDivCode;

  async function quote(symbol: StockCode, opts?: CallOptions): Promise<Quote> {
    const { res, parse } = await callRead(call, {
      endpoint: ENDPOINTS.price, lane: opts?.lane, signal: opts?.signal,
      query: [['FID_COND_MRKT_DIV_CODE', mkt], ['FID_INPUT_ISCD', symbol]],
    });
    return parseQuote(res.body, symbol, clock.now(), parse);
  }

  async function orderBook(symbol: StockCode, opts?: CallOptions): Promise<OrderBook> {
    const { res, parse } = await callRead(call, {
      endpoint: ENDPOINTS.orderBook, lane: opts?.lane, signal: opts?.signal,
      query: [['FID_COND_MRKT_DIV_CODE', mkt], ['FID_INPUT_ISCD', symbol]],
    });
    return parseOrderBook(res.body, symbol, clock.now(), parse);
  }

  async function dailyBars(symbol: StockCode, count: number, opts?: CallOptions & { end?: TradingDate }): Promise<DailyBar[]> {
    if (!Number.isInteger(count) || count < 0) throw new AppError('KIS_INVALID_REQUEST', `daily bar count must be a whole number ≥ 0, got ${count}`);
    const end = opts?.end ?? kstDateOf(clock.now());
    return stitchDailyBars(count, end, async (w) => {
      const { res, parse } = await callRead(call, {
        endpoint: ENDPOINTS.dailyBars, lane: opts?.lane, signal: opts?.signal,
        // FID_ORG_ADJ_PRC 0 = adjusted prices on this endpoint (the opposite of inquire-daily-price, §13.1).
        query: [['FID_COND_MRKT_DIV_CODE', mkt], ['FID_INPUT_ISCD', symbol], ['FID_INPUT_DATE_1', w.start], ['FID_INPUT_DATE_2', w.end],
          ['FID_PERIOD_DIV_CODE', 'D'], ['FID_ORG_ADJ_PRC', '0']],
      });
      return parseDailyBarsPage(res.body, symbol, parse);
    });
  }

  async function minuteBars(symbol: StockCode, hhmmss: string, opts?: CallOptions): Promise<MinuteBar[]> {
    const { res, parse } = await callRead(call, {
      endpoint: ENDPOINTS.minuteBars, lane: opts?.lane, signal: opts?.signal,
      query: [['FID_ETC_CLS_CODE', ''], ['FID_COND_MRKT_DIV_CODE', mkt], ['FID_INPUT_ISCD', symbol], ['FID_INPUT_HOUR_1', hhmmss], ['FID_PW_DATA_INCU_YN', 'N']],
    });
    return parseMinuteBars(res.body, symbol, parse);
  }

  async function ranking(query: RankingQuery, opts?: CallOptions): Promise<RankingSnapshot> {
    const market = query.market ?? '0000';
    const opt = (v: number | undefined) => (v === undefined ? '' : String(v));
    let endpoint;
    let params: Query;
    if (query.kind === 'volume') {
      endpoint = ENDPOINTS.volumeRank;
      // §6.5: UPPERCASE, every parameter required; "" = no bound. The exclusion code leaves out the
      // configured kinds (warned, administrative, halted, ETF, …) at the source.
      params = [['FID_COND_MRKT_DIV_CODE', mkt], ['FID_COND_SCR_DIV_CODE', '20171'], ['FID_INPUT_ISCD', market], ['FID_DIV_CLS_CODE', '0'],
        ['FID_BLNG_CLS_CODE', '0'], ['FID_TRGT_CLS_CODE', '111111111'], ['FID_TRGT_EXLS_CLS_CODE', toExclusionCode(query.exclude)],
        ['FID_INPUT_PRICE_1', opt(query.minPrice)], ['FID_INPUT_PRICE_2', opt(query.maxPrice)], ['FID_VOL_CNT', opt(query.minVolume)],
        ['FID_INPUT_DATE_1', '']];
    } else {
      endpoint = ENDPOINTS.fluctuationRank;
      // §6.6: documented lowercase; sort '0' (gain rate) — the seed's '0000' is refused live;
      // fid_input_cnt_1 '0' is "today", not a row count (§13.8); blank rate bounds mean "all".
      // fid_trgt_exls_cls_code: the workbook documents only '0' (all) here, no per-kind positions, so
      // this ranking cannot leave kinds out; its names meet the name patterns, the code checks of
      // the universe filter and the entry guard on inquire-price's status fields instead.
      params = [['fid_cond_mrkt_div_code', mkt], ['fid_cond_scr_div_code', '20170'], ['fid_input_iscd', market],
        ['fid_rank_sort_cls_code', '0'], ['fid_input_cnt_1', '0'], ['fid_prc_cls_code', '1'],
        ['fid_input_price_1', opt(query.minPrice)], ['fid_input_price_2', opt(query.maxPrice)], ['fid_vol_cnt', opt(query.minVolume)],
        ['fid_trgt_cls_code', '0'], ['fid_trgt_exls_cls_code', '0'], ['fid_div_cls_code', '0'], ['fid_rsfl_rate1', ''], ['fid_rsfl_rate2', '']];
    }
    const { res, parse } = await callRead(call, { endpoint, lane: opts?.lane, signal: opts?.signal, query: params });
    const parsed = parseRanking(query.kind, res.body, parse);
    if (parsed.skipped.length > 0) call.log.warn({ endpoint: endpoint.name, skipped: parsed.skipped }, 'ranking rows with unusable stock codes skipped');
    return { kind: query.kind, params: Object.fromEntries(params), rows: parsed.rows, raw: res.raw, fetchedAt: clock.now() };
  }

  async function holidays(from: TradingDate, opts?: CallOptions): Promise<CalendarDay[]> {
    // §6.7: not paginated although the example says "다음버튼": send blank cursors, call again with a later BASS_DT.
    const { res, parse } = await callRead(call, {
      endpoint: ENDPOINTS.holidays, lane: opts?.lane, signal: opts?.signal,
      query: [['BASS_DT', from], ['CTX_AREA_NK', ''], ['CTX_AREA_FK', '']],
    });
    return parseHolidays(res.body, parse);
  }

  return { quote, orderBook, dailyBars, minuteBars, ranking, holidays };
}
