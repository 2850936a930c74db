import type { KisEnv } from '../domain/index.js';
import type { OrderRejection } from '../exchange/index.js';

/**
 * Every rt_cd / msg_cd / msg1 the simulator sends, in one table so tests (and the kis/ client's
 * tests) can assert on codes. Codes marked SIM are not documented anywhere (docs/kis-wire.md §5.2 lists
 * messages without codes): the simulator made them up in the KIS style; a client must treat any
 * unknown code with rt_cd ≠ "0" as a definitive rejection, so the exact value does not matter.
 *
 * msg1 padding (§2.4, §13.13) follows the fixtures: inquiry successes (KIOK…) and APBK
 * rejections are right-padded with spaces to 80 characters; MCA00000, APBK0013, EGW… and the
 * paper 8-digit codes are not.
 */
export interface KisMessage {
  rtCd: string;
  msgCd: string;
  msg1: string;
}

const PAD = 80;

function m(rtCd: string, msgCd: string, text: string, pad = false): KisMessage {
  return { rtCd, msgCd, msg1: pad ? text.padEnd(PAD) : text };
}

export const MSG = {
  quoteOk: m('0', 'MCA00000', '정상처리 되었습니다.'),
  inquiryOk: m('0', 'KIOK0510', '조회가 완료되었습니다', true),
  sellableOk: m('0', 'KIOK0420', '정상적으로 조회되었습니다', true),
  holidayOk: m('0', 'KIOK0500', '조회가 계속됩니다..다음버튼을 Click 하십시오.', true),
  orderOk: m('0', 'APBK0013', '주문 전송 완료 되었습니다.'),
  // gateway (§5.1), HTTP 500
  tokenExpired: m('1', 'EGW00123', '기간이 만료된 token 입니다.'),
  tokenInvalid: m('1', 'EGW00121', '유효하지 않은 token 입니다.'),
  rateLimited: m('1', 'EGW00201', '초당 거래건수를 초과하였습니다.'),
  bearerFormat: m('1', 'EGW00205', 'credentials_type이 유효하지 않습니다.(Bearer)'),
  badAppKey: m('1', 'EGW00103', '유효하지 않은 AppKey입니다.'),
  badAppSecret: m('1', 'EGW00105', '유효하지 않은 AppSecret입니다.'),
  badCustType: m('1', 'EGW00208', '고객타입(custtype)이 유효하지 않습니다.'),
  notLiveTr: m('1', 'EGW02004', '실전투자 TR 이 아닙니다.'),
  notPaperTr: m('1', 'EGW02006', '모의투자 TR 이 아닙니다.'),
  noTrId: m('1', 'OPSQ9999', 'tr_id 없음'),
  unknownService: m('1', 'OPSQ0002', '없는 서비스 코드 입니다'),
  badAccountFormat: m('1', 'OPSQ2000', 'ERROR : INPUT INVALID_CHECK_ACNO'),
  unknownPath: m('1', 'OPSQ0002', '없는 서비스 코드 입니다'),
  badBody: m('1', 'OPSQ0003', 'ERROR : INPUT JSON BODY'),
  contentType: m('1', 'EGW00132', 'content-type 이 유효하지 않습니다.'),
  // code per the third-party EGW table of §5.1 (⚠); the text is the simulator's, in the KIS style
  badHashkey: m('1', 'EGW00131', '유효하지 않은 hashkey 입니다.'),
  noSuchStock: m('1', 'APBK0656', '해당 종목 정보가 없습니다'),
} as const;

/** OPSQ2001 names the missing or malformed input field, as KIS does for request-format errors (⚠ code per §5.1 notes). */
export function missingField(field: string): KisMessage {
  return m('1', 'OPSQ2001', `ERROR : INPUT FIELD NOT FOUND [${field}]`);
}

export function badFieldValue(field: string): KisMessage {
  return m('1', 'OPSQ2002', `ERROR : INPUT FIELD VALUE [${field}]`);
}

/** A quotation or inquiry parameter with a value KIS would refuse (e.g. fid_rank_sort_cls_code '0000', §6.6). SIM code. */
export function invalidParam(field: string): KisMessage {
  return m('1', 'OPSQ2002', `ERROR : INPUT FIELD VALUE [${field}]`);
}

const LIVE_REJECTIONS: Record<OrderRejection, KisMessage> = {
  UNKNOWN_SYMBOL: m('7', 'APBK0656', '해당 종목 정보가 없습니다', true),
  HALTED: m('7', 'APBK0558', '매매거래정지 종목입니다.', true), // SIM
  NOT_TRADING_DAY: m('7', 'APBK0919', '장운영일자가 주문일과 상이합니다', true),
  BEFORE_OPEN: m('7', 'APBK0919', '장운영일자가 주문일과 상이합니다', true),
  AFTER_CLOSE: m('7', 'APBK0919', '장운영일자가 주문일과 상이합니다', true),
  UNSUPPORTED_ORDER_TYPE: m('7', 'APBK0547', '주문구분 코드를 확인해주세요.', true), // SIM
  INVALID_QTY: m('7', 'APBK0550', '주문 수량을 확인해주세요.', true), // SIM code, message per §5.2
  INVALID_PRICE: m('7', 'APBK0551', '주문 단가를 확인해주세요.', true), // SIM
  MARKET_WITH_PRICE: m('7', 'APBK0552', '시장가 주문은 단가를 0으로 입력하십시오.', true), // SIM
  OFF_TICK: m('7', 'APBK0505', '주식주문호가단위 오류입니다.', true), // SIM code, message per §11.3
  OUTSIDE_LIMITS: m('7', 'APBK0506', '주문가격이 상하한가 범위를 벗어났습니다.', true), // SIM
  INSUFFICIENT_CASH: m('7', 'APBK0952', '주문가능금액을 초과 했습니다', true),
  INSUFFICIENT_SELLABLE: m('7', 'APBK0986', '주문가능수량을 초과했습니다', true), // SIM code, message per §5.2
  ORDER_NOT_FOUND: m('7', 'APBK1187', '원주문번호가 존재하지 않습니다.', true), // SIM
  NOTHING_TO_CANCEL: m('7', 'APBK1192', '정정/취소 가능한 수량이 없습니다.', true), // SIM
  QTY_EXCEEDS_REMAINING: m('7', 'APBK1193', '정정/취소 가능수량을 초과했습니다.', true), // SIM
  BRANCH_MISMATCH: m('7', 'APBK1188', '주문조직번호를 확인해주세요.', true), // SIM
};

/** Paper uses 8-digit codes where they were observed (§5.2); elsewhere it falls back to the live code. */
const PAPER_REJECTIONS: Partial<Record<OrderRejection, KisMessage>> = {
  NOT_TRADING_DAY: m('1', '40100000', '모의투자 영업일이 아닙니다.'),
  // message per §5.2 (code not observed: the tick-error code, whose message shares the prefix ⚠)
  HALTED: m('1', '40030000', '모의투자 주문처리가 안되었습니다(매매불가 종목)'),
  BEFORE_OPEN: m('1', '40570000', '모의투자 장시작전 입니다.'),
  AFTER_CLOSE: m('1', '40580000', '모의투자 장종료 입니다.'),
  OFF_TICK: m('1', '40030000', '모의투자 주문처리가 안되었습니다(호가단위 오류)'),
  INSUFFICIENT_SELLABLE: m('1', '40650000', '주문가능수량을 초과하였습니다'),
  QTY_EXCEEDS_REMAINING: m('1', '40650000', '주문가능수량을 초과하였습니다'),
  NOTHING_TO_CANCEL: m('1', '40650000', '주문가능수량을 초과하였습니다'),
};

export function rejectionMessage(env: KisEnv, reason: OrderRejection): KisMessage {
  return (env === 'paper' ? PAPER_REJECTIONS[reason] : undefined) ?? LIVE_REJECTIONS[reason];
}

export function orderAcceptedMessage(env: KisEnv, what: 'buy' | 'sell' | 'modify' | 'cancel'): KisMessage {
  if (env === 'live') return MSG.orderOk;
  const word = { buy: '매수', sell: '매도', modify: '정정', cancel: '취소' }[what];
  // §5.2: "모의투자 매수주문이 완료 되었습니다." (⚠ observed); the others follow its pattern
  return m('0', '40600000', `모의투자 ${word}주문이 완료 되었습니다.`);
}
