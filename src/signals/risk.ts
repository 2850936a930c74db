import type { EpochMs, Krw, OrderType, Ppm, QuoteStatus, Shares, StockCode } from '../domain/index.js';
import { applyPpm, notional } from '../domain/index.js';
import type { SessionPhase } from '../market/index.js';
import { isOrderTypeAllowed, isWithinLimits } from '../market/index.js';

/**
 * Pre-trade guards as values, never exceptions (docs/architecture.md §5): every guard is evaluated and
 * reported even after one has failed, so the decision log shows the whole verdict.
 */
export interface GuardResult {
  guard: string;
  ok: boolean;
  reason?: string;
  context?: Record<string, unknown>;
}

export interface RiskVerdict {
  ok: boolean;
  checks: GuardResult[];
}

/** The configured limits; a slice of the risk config. */
export interface RiskLimits {
  maxPositions: number;
  maxOrdersPerDay: number;
  /** entries stop when today's P&L ≤ −this share of the day's starting equity (100 bp = 1 %) */
  maxDailyLossBp: number;
  /** minutes after a losing exit of a symbol before it may be bought again */
  cooldownMinutes: number;
  maxOrderValue: Krw;
  /** cash that entries never spend */
  minCashReserve: Krw;
}

export interface EntryRiskContext {
  symbol: StockCode;
  orderType: OrderType;
  phase: SessionPhase;
  /** the sized quantity */
  qty: Shares;
  /** the limit price; ignored for market orders, which are checked at the upper limit */
  price: Krw;
  /** the day's price limits (stck_mxpr / stck_llam) */
  priceLimits: { upper: Krw; lower: Krw };
  /** set while entries are halted by the operator or a breaker */
  halted: { reason: string } | null;
  /** what the exchange says about the stock now (inquire-price): a trading halt and its designations */
  security: { halted: boolean; status: QuoteStatus };
  heldSymbols: readonly StockCode[];
  /** symbols with a working order of either side */
  openOrderSymbols: readonly StockCode[];
  ordersToday: number;
  /** equity at the start of the trading day, and today's realised + unrealised P&L */
  dayStartEquity: Krw;
  dayPnl: Krw;
  /** when each symbol was last sold at a loss */
  lastLosingExitAt: Readonly<Partial<Record<StockCode, EpochMs>>>;
  now: EpochMs;
  /** cash available for buys now */
  cash: Krw;
  commission: Ppm;
  limits: RiskLimits;
}

/** What an exit is checked against: only what makes its order impossible or a duplicate. */
export interface ExitRiskContext {
  symbol: StockCode;
  orderType: OrderType;
  phase: SessionPhase;
  /**
   * symbols with a working SELL of the daemon's own: the exit already out. Its own working buys
   * are cancelled by the order path before the sell (orders/exit-prep.ts), and orders adopted as
   * external are not the daemon's to wait for, so neither is listed here.
   */
  openSellSymbols: readonly StockCode[];
  /** the symbol's trading is halted (Quote.halted): an order would only be rejected */
  tradingHalted: boolean;
}

/** `reason` is read only when the guard fails: callers pass '' when it passes, so no text is made for nothing. */
function guard(name: string, ok: boolean, reason: string, context: Record<string, unknown>): GuardResult {
  return ok ? { guard: name, ok, context } : { guard: name, ok, reason, context };
}

function verdict(checks: GuardResult[]): RiskVerdict {
  let ok = true;
  // a loop, not checks.every(…): no closure per check on a path a backtest takes often (bench/README.md)
  for (const c of checks) ok &&= c.ok;
  return { ok, checks };
}

function sessionGuard(ctx: Pick<EntryRiskContext, 'phase' | 'orderType'>): GuardResult {
  const ok = isOrderTypeAllowed(ctx.phase, ctx.orderType);
  return guard('session', ok, ok ? '' : `${ctx.orderType} orders are not accepted in phase ${ctx.phase}`,
    { phase: ctx.phase, orderType: ctx.orderType });
}

function openOrderGuard(ctx: Pick<EntryRiskContext, 'symbol' | 'openOrderSymbols'>): GuardResult {
  // One working order per symbol: a second order would race the first for cash or shares.
  return guard('open-order', !ctx.openOrderSymbols.includes(ctx.symbol), 'an order for this symbol is still working',
    { symbol: ctx.symbol, openOrderSymbols: [...ctx.openOrderSymbols] });
}

/** Symbols counted as positions: those held plus those with a working order but not held. */
function positionCount(ctx: EntryRiskContext): number {
  // A working order for a symbol not held can only be a buy, i.e. a position being opened.
  return new Set([...ctx.heldSymbols, ...ctx.openOrderSymbols]).size;
}

/** today's P&L ≤ −maxDailyLossBp of the starting equity, compared in BigInt to stay exact. */
function dailyLossGuard(ctx: EntryRiskContext): GuardResult {
  const context = { dayPnl: ctx.dayPnl, dayStartEquity: ctx.dayStartEquity, maxDailyLossBp: ctx.limits.maxDailyLossBp };
  if (ctx.dayStartEquity <= 0) return guard('daily-loss', false, 'no starting equity for the day', context);
  const breached = BigInt(ctx.dayPnl) * 10_000n <= -BigInt(ctx.limits.maxDailyLossBp) * BigInt(ctx.dayStartEquity);
  return guard('daily-loss', !breached, `today's loss reached ${ctx.limits.maxDailyLossBp} bp of the starting equity`, context);
}

function cooldownGuard(ctx: EntryRiskContext): GuardResult {
  const last = ctx.lastLosingExitAt[ctx.symbol];
  const until = last === undefined ? null : last + ctx.limits.cooldownMinutes * 60_000;
  const context = { lastLosingExitAt: last ?? null, cooldownMinutes: ctx.limits.cooldownMinutes, until, now: ctx.now };
  return guard('cooldown', until === null || ctx.now >= until, 're-entry blocked after a losing exit', context);
}

/**
 * A market buy reserves cash at the upper-limit price (docs/kis-wire.md §13 item 11), so that is the
 * price the cash and value checks use for it. Commission is rounded up: a cash check must not
 * come out a won short.
 */
function entryCost(ctx: EntryRiskContext): { unitPrice: Krw; value: Krw; commission: Krw } {
  const unitPrice = ctx.orderType === 'market' ? ctx.priceLimits.upper : ctx.price;
  const value = notional(unitPrice, ctx.qty);
  return { unitPrice, value, commission: applyPpm(value, ctx.commission, 'ceil') };
}

/**
 * The designations that refuse an entry (docs/kis-wire.md §6.1), by name: a halted, warned, administrative,
 * overheated or delisting stock, or one in a volatility interruption, is no name for an autonomous
 * buyer. 신용가능 (55) and 증거금100% (57) are not among them: a cash buy pays in full anyway.
 */
export function securityStatusBlocks(security: EntryRiskContext['security']): string[] {
  const s = security.status;
  const out: string[] = [];
  if (security.halted) out.push('trading halted');
  if (s.administrative) out.push('administrative issue');
  if (s.warning !== null) out.push(`investment ${s.warning}`);
  if (s.marketWarningCode !== null) out.push(`market warning ${s.marketWarningCode}`);
  if (s.investmentAttention) out.push('investment attention');
  if (s.shortTermOverheated) out.push('short-term overheating');
  if (s.liquidationTrading) out.push('liquidation trading');
  if (s.vi) out.push('volatility interruption');
  return out;
}

function securityStatusGuard(ctx: EntryRiskContext): GuardResult {
  const blocks = securityStatusBlocks(ctx.security);
  return guard('security-status', blocks.length === 0, blocks.length === 0 ? '' : `the stock is designated: ${blocks.join(', ')}`,
    { blocks, halted: ctx.security.halted, status: { ...ctx.security.status } });
}

export function checkEntry(ctx: EntryRiskContext): RiskVerdict {
  const { limits } = ctx;
  const cost = entryCost(ctx);
  const spendable = ctx.cash - limits.minCashReserve;
  const positions = positionCount(ctx);
  const checks: GuardResult[] = [
    guard('entries-halted', ctx.halted === null, ctx.halted === null ? '' : `entries halted: ${ctx.halted.reason}`, { halted: ctx.halted }),
    sessionGuard(ctx),
    securityStatusGuard(ctx),
    guard('already-held', !ctx.heldSymbols.includes(ctx.symbol), 'the symbol is already held', { symbol: ctx.symbol }),
    openOrderGuard(ctx),
    guard('max-positions', positions < limits.maxPositions, positions < limits.maxPositions ? '' : `${positions} of ${limits.maxPositions} positions taken`,
      { positions, maxPositions: limits.maxPositions }),
    guard('max-orders-per-day', ctx.ordersToday < limits.maxOrdersPerDay,
      ctx.ordersToday < limits.maxOrdersPerDay ? '' : `${ctx.ordersToday} of ${limits.maxOrdersPerDay} orders placed today`,
      { ordersToday: ctx.ordersToday, maxOrdersPerDay: limits.maxOrdersPerDay }),
    dailyLossGuard(ctx),
    cooldownGuard(ctx),
    guard('cash', cost.value + cost.commission <= spendable, 'not enough cash above the reserve',
      // fields named, not {...cost}: V8 (Node 20) copies a spread literal on a slow path (bench/README.md)
      {
        unitPrice: cost.unitPrice, value: cost.value, commission: cost.commission, cash: ctx.cash,
        minCashReserve: limits.minCashReserve, spendable,
      }),
    guard('max-order-value', cost.value <= limits.maxOrderValue, cost.value <= limits.maxOrderValue ? '' : `order value above ${limits.maxOrderValue}`,
      { value: cost.value, maxOrderValue: limits.maxOrderValue }),
    ctx.orderType === 'market'
      ? guard('price-limits', true, '', { orderType: 'market', ...ctx.priceLimits })
      : guard('price-limits', isWithinLimits(ctx.price, ctx.priceLimits), 'limit price outside the day\'s price limits',
        { price: ctx.price, ...ctx.priceLimits }),
    guard('min-qty', ctx.qty >= 1, 'sized quantity is below one share', { qty: ctx.qty }),
  ];
  return verdict(checks);
}

/**
 * Exits are blocked only by what makes an order impossible or a duplicate. Never by entry halts or
 * the daily-loss breaker: the Ouroboros breaker ran before protective sells and swallowed stop-losses.
 * Never by another order in the symbol either (issue 8 §3): the daemon's own entry is cancelled
 * before the sell goes out, an external order is not ours to wait for; only our own sell already
 * working makes a second one a duplicate. A halted symbol rejects every order (docs/kis-wire.md §6.1
 * temp_stop_yn): the exit waits for the halt to lift instead of being rejected every minute.
 */
export function checkExit(ctx: ExitRiskContext): RiskVerdict {
  return verdict([
    sessionGuard(ctx),
    guard('trading-halted', !ctx.tradingHalted, 'trading in the symbol is halted', { symbol: ctx.symbol }),
    guard('exit-working', !ctx.openSellSymbols.includes(ctx.symbol), 'a sell of ours for this symbol is still working',
      { symbol: ctx.symbol, openSellSymbols: [...ctx.openSellSymbols] }),
  ]);
}
