import { describe, expect, it } from 'vitest';
import { isAppError, stockCode, tradingDate } from '../../../src/domain/index.js';
import { defaultConfig } from '../../../src/config/index.js';
import type { RankingExclusions } from '../../../src/domain/index.js';
import { DEFAULT_RETRY } from '../../../src/kis/retry.js';
import { quoteStatus } from '../../helpers/builders.js';
import { APP_KEY, APP_SECRET, createMockKis, ok, tokenReply } from './mock-kis.js';
import type { Recorded, Reply } from './mock-kis.js';

const PRICE = {
  stck_prpr: '72300', prdy_ctrt: '0.70', stck_oprc: '71900', stck_hgpr: '72600', stck_lwpr: '71700', stck_sdpr: '71800',
  stck_mxpr: '93300', stck_llam: '50300', aspr_unit: '100', acml_vol: '8412556', acml_tr_pbmn: '606965915400',
};

function kis(req: Recorded, extra: (req: Recorded, n: number) => Reply | undefined = () => undefined, n = 1): Reply {
  if (req.path === '/oauth2/tokenP') return tokenReply();
  return extra(req, n) ?? ok({ output: PRICE });
}

async function caught(p: Promise<unknown>): Promise<unknown> {
  try { await p; } catch (e) { return e; }
  throw new Error('expected a rejection');
}

describe('KIS client reads (request building)', () => {
  it('sends the §2.1 headers, the TR_ID and the documented query', async () => {
    const m = createMockKis((r) => kis(r));
    const q = await m.client.market.quote(stockCode('005930'));
    expect(q).toMatchObject({ price: 72300, upperLimit: 93300, tick: 100, changeBp: 70 });
    const [tokenCall, priceCall] = m.requests;
    expect(tokenCall?.method).toBe('POST');
    expect(JSON.parse(tokenCall!.body)).toEqual({ grant_type: 'client_credentials', appkey: APP_KEY, appsecret: APP_SECRET });
    expect(priceCall?.path).toBe('/uapi/domestic-stock/v1/quotations/inquire-price');
    expect(priceCall?.headers).toMatchObject({
      authorization: 'Bearer tok-1', appkey: APP_KEY, appsecret: APP_SECRET, tr_id: 'FHKST01010100', custtype: 'P',
      'content-type': 'application/json; charset=utf-8',
    });
    expect([...priceCall!.query]).toEqual([['FID_COND_MRKT_DIV_CODE', 'J'], ['FID_INPUT_ISCD', '005930']]);
    // the token call and the price call both spend the budget, in the caller's lane
    expect(m.budget.acquired).toEqual(['signal', 'signal']);
  });

  it('checks rt_cd on every GET (the seed did not)', async () => {
    const m = createMockKis((r) => kis(r, () => ({ body: { rt_cd: '1', msg_cd: 'OPSQ0002', msg1: '없는 서비스 코드 입니다   ' } })));
    const e = await caught(m.client.market.quote(stockCode('005930')));
    expect(isAppError(e, 'KIS_API')).toBe(true);
    expect((e as { details: unknown }).details).toMatchObject({ kind: 'api', msgCode: 'OPSQ0002', msg: '없는 서비스 코드 입니다', trId: 'FHKST01010100' });
  });

  it('refuses live-only endpoints on paper before any request or budget spend', async () => {
    const m = createMockKis((r) => kis(r), { env: 'paper' });
    for (const call of [m.client.market.ranking({ kind: 'volume' }), m.client.market.ranking({ kind: 'fluctuation' }),
      m.client.market.holidays(tradingDate('20260312')), m.client.broker.sellable(stockCode('005930'))]) {
      expect(isAppError(await caught(call), 'KIS_NOT_AVAILABLE_ON_PAPER')).toBe(true);
    }
    expect(m.requests).toHaveLength(0);
    expect(m.budget.acquired).toHaveLength(0);
  });

  it('retries a read after EGW00201 and slows the budget down', async () => {
    const m = createMockKis((r, n) => kis(r, (_q, k) => (k === 1 ? { status: 500, body: { rt_cd: '1', msg_cd: 'EGW00201', msg1: '초당 거래건수를 초과하였습니다.' } } : undefined), n));
    expect((await m.client.market.quote(stockCode('005930'))).price).toBe(72300);
    expect(m.to('/uapi/domestic-stock/v1/quotations/inquire-price')).toHaveLength(2);
    expect(m.budget.penalties).toBe(1);
  });

  it('EGW00201 has its own, longer allowance of attempts (rateLimitedAttempts), still bounded', async () => {
    const limited = { status: 500, body: { rt_cd: '1', msg_cd: 'EGW00201', msg1: '초당 거래건수를 초과하였습니다.' } };
    const late = createMockKis((r, n) => kis(r, (_q, k) => (k <= 7 ? limited : undefined), n));
    expect((await late.client.market.quote(stockCode('005930'))).price).toBe(72300);
    expect(late.to('/uapi/domestic-stock/v1/quotations/inquire-price')).toHaveLength(8);
    const never = createMockKis((r) => kis(r, () => limited));
    const e = await caught(never.client.market.quote(stockCode('005930')));
    expect(isAppError(e, 'KIS_RATE_LIMITED')).toBe(true);
    const sent = never.to('/uapi/domestic-stock/v1/quotations/inquire-price');
    expect(sent).toHaveLength(DEFAULT_RETRY.rateLimitedAttempts);
  });

  it('gives up after the bounded attempts', async () => {
    const m = createMockKis((r) => kis(r, () => ({ status: 503, body: 'busy' })));
    const e = await caught(m.client.market.quote(stockCode('005930')));
    expect(isAppError(e, 'KIS_HTTP')).toBe(true);
    expect(m.to('/uapi/domestic-stock/v1/quotations/inquire-price')).toHaveLength(3);
  });

  it('does not retry a business error', async () => {
    const m = createMockKis((r) => kis(r, () => ({ body: { rt_cd: '7', msg_cd: 'APBK0656', msg1: '해당 종목 정보가 없습니다' } })));
    await caught(m.client.market.quote(stockCode('005930')));
    expect(m.to('/uapi/domestic-stock/v1/quotations/inquire-price')).toHaveLength(1);
  });

  it('on EGW00123 drops the token, re-issues once (after the 1/min window) and retries once', async () => {
    let tokens = 0;
    const m = createMockKis((r) => {
      if (r.path === '/oauth2/tokenP') return tokenReply(`tok-${++tokens}`);
      if (r.headers.authorization === 'Bearer tok-1') return { status: 500, body: { rt_cd: '1', msg_cd: 'EGW00123', msg1: '기간이 만료된 token 입니다.' } };
      return ok({ output: PRICE });
    });
    expect((await m.client.market.quote(stockCode('005930'))).price).toBe(72300);
    expect(m.to('/oauth2/tokenP')).toHaveLength(2);
    expect(m.sleeps.length).toBe(1);
    expect(m.sleeps[0]).toBeGreaterThanOrEqual(60_000);
    expect(m.store.load(m.client.tokens.storeKey)?.token).toBe('tok-2');
  });

  it('reauthenticates only once per call', async () => {
    let tokens = 0;
    const m = createMockKis((r) => (r.path === '/oauth2/tokenP' ? tokenReply(`tok-${++tokens}`)
      : { status: 500, body: { rt_cd: '1', msg_cd: 'EGW00121', msg1: '유효하지 않은 token 입니다.' } }));
    expect(isAppError(await caught(m.client.market.quote(stockCode('005930'))), 'KIS_API')).toBe(true);
    expect(m.to('/oauth2/tokenP')).toHaveLength(2);
  });

  it('asks daily bars for an explicit window, adjusted, by day', async () => {
    const m = createMockKis((r) => kis(r, () => ok({ output1: {}, output2: [] })));
    await m.client.market.dailyBars(stockCode('005930'), 5, { end: tradingDate('20260312') });
    const first = m.to('/uapi/domestic-stock/v1/quotations/inquire-daily-itemchartprice')[0]!;
    expect(first.headers.tr_id).toBe('FHKST03010100');
    expect(Object.fromEntries(first.query)).toMatchObject({
      FID_INPUT_ISCD: '005930', FID_INPUT_DATE_2: '20260312', FID_INPUT_DATE_1: '20260227', FID_PERIOD_DIV_CODE: 'D', FID_ORG_ADJ_PRC: '0',
    });
  });

  it('sends the fluctuation ranking in lowercase with sort code 0 (§6.6)', async () => {
    const m = createMockKis((r) => kis(r, () => ok({ output: [] })));
    const snap = await m.client.market.ranking({ kind: 'fluctuation', market: '0001' });
    const q = m.to('/uapi/domestic-stock/v1/ranking/fluctuation')[0]!;
    expect(q.headers.tr_id).toBe('FHPST01700000');
    expect(q.query.get('fid_rank_sort_cls_code')).toBe('0');
    expect(q.query.get('fid_input_iscd')).toBe('0001');
    expect(q.query.get('fid_rsfl_rate1')).toBe('');
    expect([...q.query.keys()].every((k) => k === k.toLowerCase())).toBe(true);
    expect(snap.params.fid_cond_scr_div_code).toBe('20170');
  });

  it('sends the volume ranking in UPPERCASE with every parameter (§6.5)', async () => {
    const m = createMockKis((r) => kis(r, () => ok({ output: [] })));
    await m.client.market.ranking({ kind: 'volume', minVolume: 1000 as never }, { lane: 'scan' });
    const q = m.to('/uapi/domestic-stock/v1/quotations/volume-rank')[0]!;
    expect(q.headers.tr_id).toBe('FHPST01710000');
    expect(Object.fromEntries(q.query)).toMatchObject({ FID_COND_SCR_DIV_CODE: '20171', FID_INPUT_ISCD: '0000', FID_VOL_CNT: '1000', FID_INPUT_PRICE_1: '' });
    expect(m.budget.acquired.at(-1)).toBe('scan');
  });

  const NONE: RankingExclusions = {
    investmentWarning: false, administrative: false, liquidationTrading: false, unfaithfulDisclosure: false, preferred: false,
    halted: false, etf: false, etn: false, creditNotAllowed: false, spac: false,
  };

  it.each<{ name: string; exclude: RankingExclusions | undefined; code: string }>([
    // workbook sheet 거래량순위: 투자위험/경고/주의 관리종목 정리매매 불성실공시 우선주 거래정지 ETF ETN 신용주문불가 SPAC
    { name: 'the configured defaults', exclude: defaultConfig().scan.excludeKinds, code: '1111111101' },
    { name: 'nothing asked', exclude: undefined, code: '0000000000' },
    { name: 'investment warnings only', exclude: { ...NONE, investmentWarning: true }, code: '1000000000' },
    { name: 'administrative only', exclude: { ...NONE, administrative: true }, code: '0100000000' },
    { name: 'liquidation only', exclude: { ...NONE, liquidationTrading: true }, code: '0010000000' },
    { name: 'unfaithful disclosure only', exclude: { ...NONE, unfaithfulDisclosure: true }, code: '0001000000' },
    { name: 'preferred only', exclude: { ...NONE, preferred: true }, code: '0000100000' },
    { name: 'halted only', exclude: { ...NONE, halted: true }, code: '0000010000' },
    { name: 'ETF only', exclude: { ...NONE, etf: true }, code: '0000001000' },
    { name: 'ETN only', exclude: { ...NONE, etn: true }, code: '0000000100' },
    { name: 'credit-not-allowed only', exclude: { ...NONE, creditNotAllowed: true }, code: '0000000010' },
    { name: 'SPAC only', exclude: { ...NONE, spac: true }, code: '0000000001' },
  ])('sends FID_TRGT_EXLS_CLS_CODE $code for $name (§6.5)', async ({ exclude, code }) => {
    const m = createMockKis((r) => kis(r, () => ok({ output: [] })));
    const snap = await m.client.market.ranking({ kind: 'volume', ...(exclude ? { exclude } : {}) }, { lane: 'scan' });
    const q = m.to('/uapi/domestic-stock/v1/quotations/volume-rank')[0]!;
    expect(q.query.get('FID_TRGT_EXLS_CLS_CODE')).toBe(code);
    expect(snap.params.FID_TRGT_EXLS_CLS_CODE).toBe(code);
  });

  it('keeps the fluctuation ranking at the only documented exclusion value, 0 (§6.6)', async () => {
    const m = createMockKis((r) => kis(r, () => ok({ output: [] })));
    await m.client.market.ranking({ kind: 'fluctuation', exclude: defaultConfig().scan.excludeKinds });
    expect(m.to('/uapi/domestic-stock/v1/ranking/fluctuation')[0]!.query.get('fid_trgt_exls_cls_code')).toBe('0');
  });

  it.each<{ name: string; fields: Record<string, string>; halted: boolean; status: Partial<ReturnType<typeof quoteStatus>> }>([
    { name: 'an ordinary stock (fixture values)', fields: { iscd_stat_cls_code: '55', temp_stop_yn: 'N', mrkt_warn_cls_code: '00', vi_cls_code: 'N', invt_caful_yn: 'N', short_over_yn: 'N', sltr_yn: 'N', mang_issu_cls_code: 'N' }, halted: false, status: {} },
    { name: 'administrative (51)', fields: { iscd_stat_cls_code: '51', mang_issu_cls_code: 'Y' }, halted: false, status: { code: '51', administrative: true } },
    { name: 'investment risk (52)', fields: { iscd_stat_cls_code: '52', mrkt_warn_cls_code: '03' }, halted: false, status: { code: '52', warning: 'risk', marketWarningCode: '03' } },
    { name: 'investment warning (53)', fields: { iscd_stat_cls_code: '53' }, halted: false, status: { code: '53', warning: 'warning' } },
    { name: 'investment caution (54)', fields: { iscd_stat_cls_code: '54' }, halted: false, status: { code: '54', warning: 'caution' } },
    { name: 'halted (58)', fields: { iscd_stat_cls_code: '58' }, halted: true, status: { code: '58' } },
    { name: 'a temporary halt', fields: { iscd_stat_cls_code: '55', temp_stop_yn: 'Y' }, halted: true, status: {} },
    { name: 'short-term overheating (59)', fields: { iscd_stat_cls_code: '59', short_over_yn: 'Y' }, halted: false, status: { code: '59', shortTermOverheated: true } },
    { name: 'liquidation trading', fields: { sltr_yn: 'Y' }, halted: false, status: { liquidationTrading: true } },
    { name: 'investment attention', fields: { invt_caful_yn: 'Y' }, halted: false, status: { investmentAttention: true } },
    { name: 'a VI', fields: { vi_cls_code: '1' }, halted: false, status: { vi: true } },
  ])('reads the status fields of inquire-price: $name (§6.1)', async ({ fields, halted, status }) => {
    const m = createMockKis((r) => kis(r, () => ok({ output: { ...PRICE, iscd_stat_cls_code: '55', ...fields } })));
    const q = await m.client.market.quote(stockCode('005930'));
    expect(q.halted).toBe(halted);
    expect(q.status).toEqual(quoteStatus({ code: fields.iscd_stat_cls_code ?? '55', ...status }));
  });
});
