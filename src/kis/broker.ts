import { AppError, kstDateOf, tradingDate } from '../domain/index.js';
import type {
  AccountSnapshot, Broker, BuyingPower, CallOptions, CancelRequest, Clock, Krw, OrderAck, OrderRequest, OrderType, StockCode,
  TradingDate, VenueOrder,
} from '../domain/index.js';
import { callOrder, callRead } from './call.js';
import type { CallContext } from './call.js';
import { ENDPOINTS, trIdFor } from './endpoints.js';
import type { EndpointDef } from './endpoints.js';
import { collectPages } from './paging.js';
import type { PageCursor } from './paging.js';
import { checkHoldingRows, parseBalancePage, parseBuyingPower, parseSellable, toAccountSnapshot } from './schemas/account.js';
import type { BalanceHoldingRow, BalanceSummary, Sellable } from './schemas/account.js';
import { parseCancellablePage, parseDailyOrdersPage, parseOrderAck } from './schemas/orders.js';
import type { WireResponse } from './transport.js';

/** Broker over the KIS trading endpoints (docs/kis-wire.md §7), plus what only KIS offers. */
export interface KisBroker extends Broker {
  /** working orders: live TTTC0084R (§7.6); paper derives them from daily orders with rmn_qty > 0 */
  openOrders(opts?: CallOptions): Promise<VenueOrder[]>;
  /** sellable quantity (§7.7, live only; on paper use balance().holdings[].sellableQty) */
  sellable(symbol: StockCode, opts?: CallOptions): Promise<Sellable>;
}

export interface KisAccount {
  /** CANO, 8 digits */
  cano: string;
  /** ACNT_PRDT_CD, 2 digits ('01' stock account) */
  product: string;
}

export interface BrokerDeps {
  call: CallContext;
  clock: Clock;
  account: KisAccount;
  maxPages: number;
}

/** '12345678-01' or '1234567801' → CANO + ACNT_PRDT_CD (§1). The number never appears in the message. */
export function parseAccount(account: string): KisAccount {
  const m = /^(\d{8})-?(\d{2})$/.exec(account.trim());
  if (!m?.[1] || !m[2]) throw new AppError('CONFIG_INVALID', 'KIS account must look like 12345678-01 (8 + 2 digits)');
  return { cano: m[1], product: m[2] };
}

/** The daily-ccld TR switches to CTSC9215R for dates more than three months back (§7.4). */
export function isOlderThanThreeMonths(date: TradingDate, today: TradingDate): boolean {
  const y = Number(today.slice(0, 4));
  const m = Number(today.slice(4, 6)) - 3;
  const d = Number(today.slice(6, 8));
  const year = m <= 0 ? y - 1 : y;
  const month = m <= 0 ? m + 12 : m;
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const limit = tradingDate(`${year}${String(month).padStart(2, '0')}${String(Math.min(d, last)).padStart(2, '0')}`);
  return date < limit;
}

/** §8.1: 00 limit, 01 market (ORD_UNPR "0"). */
function ordDvsn(type: OrderType): string {
  return type === 'market' ? '01' : '00';
}

function invalid(message: string): AppError {
  return new AppError('ORDER_INVALID', message, { details: { outcome: 'rejected', notSent: true } });
}

export function createKisBroker(deps: BrokerDeps): KisBroker {
  const { call, clock, account } = deps;
  const acct: Array<readonly [string, string]> = [['CANO', account.cano], ['ACNT_PRDT_CD', account.product]];

  async function paged<T>(ep: EndpointDef, query: (c: PageCursor) => Array<readonly [string, string]>, parse: (res: WireResponse, p: { endpoint: string; trId: string; status: number }) => T[], lane: CallOptions['lane']): Promise<{ rows: T[]; pages: WireResponse[] }> {
    const trId = trIdFor(ep, call.env) ?? '';
    return collectPages({
      endpoint: ep.name, trId, maxPages: deps.maxPages,
      fetchPage: async (cursor) => (await callRead(call, { endpoint: ep, lane, trCont: cursor.trCont, query: query(cursor) })).res,
      parse: (res) => parse(res, { endpoint: ep.name, trId, status: res.status }),
    });
  }

  async function balance(opts?: CallOptions): Promise<AccountSnapshot> {
    let summary: BalanceSummary | null = null;
    const { rows } = await paged<BalanceHoldingRow>(ENDPOINTS.balance, (c) => [...acct, ['AFHR_FLPR_YN', 'N'], ['OFL_YN', ''],
      ['INQR_DVSN', '02'], ['UNPR_DVSN', '01'], ['FUND_STTL_ICLD_YN', 'N'], ['FNCG_AMT_AUTO_RDPT_YN', 'N'], ['PRCS_DVSN', '00'],
      ['CTX_AREA_FK100', c.fk], ['CTX_AREA_NK100', c.nk]], (res, p) => {
      const page = parseBalancePage(res.body, p);
      summary = page.summary ?? summary;
      return page.holdings;
    }, opts?.lane);
    // Each page was checked alone; a lot repeated on a later page would count twice too.
    checkHoldingRows(rows, { endpoint: ENDPOINTS.balance.name, trId: trIdFor(ENDPOINTS.balance, call.env), status: 200 });
    return toAccountSnapshot(rows, summary, clock.now());
  }

  async function buyingPower(symbol: StockCode, type: OrderType, price: Krw, opts?: CallOptions): Promise<BuyingPower> {
    // §7.5 / §13.11, workbook sheet 매수가능조회: a per-stock quantity reflects the stock's margin
    // rate only with ORD_DVSN 01 (00 ignores it), so every per-stock query — a limit entry's too —
    // sends 01 (for a market buy it also sizes at the upper-limit reservation). A limit entry sends
    // its price as ORD_UNPR, as the workbook's credit example does; a market entry "0".
    const { res, parse } = await callRead(call, {
      endpoint: ENDPOINTS.buyingPower, lane: opts?.lane,
      query: [...acct, ['PDNO', symbol], ['ORD_UNPR', type === 'market' ? '0' : String(price)], ['ORD_DVSN', '01'],
        ['CMA_EVLU_AMT_ICLD_YN', 'N'], ['OVRS_ICLD_YN', 'N']],
    });
    return parseBuyingPower(res.body, parse);
  }

  async function sellable(symbol: StockCode, opts?: CallOptions): Promise<Sellable> {
    const { res, parse } = await callRead(call, { endpoint: ENDPOINTS.sellable, lane: opts?.lane, query: [...acct, ['PDNO', symbol]] });
    return parseSellable(res.body, parse);
  }

  async function placeOrder(req: OrderRequest): Promise<OrderAck> {
    if (!Number.isSafeInteger(req.qty) || req.qty <= 0) throw invalid(`order quantity must be a whole number ≥ 1, got ${req.qty}`);
    if (req.type === 'limit' && (!Number.isSafeInteger(req.price) || req.price <= 0)) throw invalid(`limit price must be a whole number of won > 0, got ${req.price}`);
    if (req.type === 'market' && req.price !== 0) throw invalid(`market orders carry price 0, got ${req.price}`);
    const ep = req.side === 'buy' ? ENDPOINTS.orderBuy : ENDPOINTS.orderSell;
    // §7.2: UPPERCASE keys, every value a string; market orders send ORD_UNPR "0".
    const body = {
      CANO: account.cano, ACNT_PRDT_CD: account.product, PDNO: req.symbol, ORD_DVSN: ordDvsn(req.type),
      ORD_QTY: String(req.qty), ORD_UNPR: req.type === 'market' ? '0' : String(req.price),
    };
    return callOrder(call, ep, body, (res, p) => parseOrderAck(res.body, clock.now(), p));
  }

  async function cancelOrder(req: CancelRequest): Promise<OrderAck> {
    if (req.qty !== undefined && (!Number.isSafeInteger(req.qty) || req.qty <= 0)) throw invalid(`cancel quantity must be a whole number ≥ 1, got ${req.qty}`);
    // §7.3: RVSE_CNCL_DVSN_CD 02 = cancel; QTY_ALL_ORD_YN Y with ORD_QTY "0" cancels all that remains.
    const body = {
      CANO: account.cano, ACNT_PRDT_CD: account.product, KRX_FWDG_ORD_ORGNO: req.branch, ORGN_ODNO: req.venueOrderId,
      ORD_DVSN: '00', RVSE_CNCL_DVSN_CD: '02', ORD_QTY: req.qty === undefined ? '0' : String(req.qty), ORD_UNPR: '0',
      QTY_ALL_ORD_YN: req.qty === undefined ? 'Y' : 'N',
    };
    return callOrder(call, ENDPOINTS.cancel, body, (res, p) => parseOrderAck(res.body, clock.now(), p));
  }

  async function dailyOrders(date: TradingDate, opts?: CallOptions): Promise<VenueOrder[]> {
    const ep = isOlderThanThreeMonths(date, kstDateOf(clock.now())) ? ENDPOINTS.dailyOrdersOld : ENDPOINTS.dailyOrders;
    // Paper serves KRX only (§7.4); live lists every venue so orders placed elsewhere are seen too.
    const venue = call.env === 'paper' ? 'KRX' : 'ALL';
    const { rows } = await paged(ep, (c) => [...acct, ['INQR_STRT_DT', date], ['INQR_END_DT', date], ['SLL_BUY_DVSN_CD', '00'],
      ['INQR_DVSN', '01'], ['PDNO', ''], ['CCLD_DVSN', '00'], ['ORD_GNO_BRNO', ''], ['ODNO', ''], ['INQR_DVSN_3', '00'],
      ['INQR_DVSN_1', ''], ['EXCG_ID_DVSN_CD', venue], ['CTX_AREA_FK100', c.fk], ['CTX_AREA_NK100', c.nk]],
    (res, p) => parseDailyOrdersPage(res.body, p), opts?.lane);
    const seen = new Set<string>();
    return rows
      .filter((o) => (seen.has(o.venueOrderId) ? false : (seen.add(o.venueOrderId), true)))
      .sort((a, b) => a.orderedAt - b.orderedAt || (a.venueOrderId < b.venueOrderId ? -1 : a.venueOrderId > b.venueOrderId ? 1 : 0));
  }

  async function openOrders(opts?: CallOptions): Promise<VenueOrder[]> {
    const today = kstDateOf(clock.now());
    if (call.env === 'paper') {
      // TTTC0084R has no paper version (§7.6): working orders are the daily rows with rmn_qty > 0.
      return (await dailyOrders(today, opts)).filter((o) => o.remainingQty > 0);
    }
    const { rows } = await paged(ENDPOINTS.cancellable, (c) => [...acct, ['CTX_AREA_FK100', c.fk], ['CTX_AREA_NK100', c.nk],
      ['INQR_DVSN_1', '0'], ['INQR_DVSN_2', '0']], (res, p) => parseCancellablePage(res.body, today, p), opts?.lane);
    return rows.filter((o) => o.remainingQty > 0);
  }

  return { balance, buyingPower, placeOrder, cancelOrder, dailyOrders, openOrders, sellable };
}
