import { formatDate, formatKst } from '../domain/index.js';
import type { DailyPnl, EpochMs } from '../domain/index.js';
import { esc, holding, num, pct, signedWon, table, text, tone, won } from './html.js';
import type { Cell } from './html.js';
import { drawdowns, groupTrips, summarize } from './stats.js';
import type { PnlSummary } from './stats.js';
import { barChart, columnChart, lineChart } from './svg.js';
import type { Bar, Point } from './svg.js';
import { REPORT_CSS } from './style.js';
import type { ReviewInput, RoundTrip } from './types.js';

/**
 * The review report (issue 11): one self-contained HTML page from round trips and daily rows, so the
 * daemon's trade log and a backtest write the same page. Nothing on it loads from the network: the
 * style is inline, the charts are inline SVG, and a Content-Security-Policy forbids any fetch.
 */
export function renderReport(input: ReviewInput): string {
  const s = summarize(input.roundTrips, input.daily);
  const nothing = input.roundTrips.length === 0 && input.daily.length === 0;
  const main = nothing
    ? `<section class="nothing"><h2>Nothing to review yet</h2><p>No round trips and no trading days in ${
      esc(period(input))}. The report fills in after the first trading day.</p></section>`
    : [tiles(s), dailySection(input.daily), groupSection(input), tripSection(input)].join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${esc(input.title)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
${header(input)}
${main}
${guardSection(input)}
</body>
</html>
`;
}

function period(input: ReviewInput): string {
  const from = input.from ? formatDate(input.from) : 'the start of the log';
  const to = input.to ? formatDate(input.to) : 'today';
  return `${from} – ${to}`;
}

function header(input: ReviewInput): string {
  const configs = input.configs.length === 0
    ? '<p class="muted">No decision recorded a config in this period.</p>'
    : table('configs', [text('config hash'), text('first used'), text('last used'), num('decisions')],
      input.configs.map((c) => [
        { html: `<code>${esc(c.hash)}</code>` }, text(formatKst(c.from)), text(formatKst(c.to)), num(won(c.decisions)),
      ]));
  return `<header>
<h1>${esc(input.title)}</h1>
<p class="meta"><span>Period <b>${esc(period(input))}</b></span>
<span>Generated <b>${esc(formatKst(input.generatedAt))}</b></span></p>
<details class="configs" open>
<summary>Configs in force (${input.configs.length})</summary>
${configs}
</details>
</header>`;
}

const plural = (n: number, one: string, many: string): string => `${won(n)} ${n === 1 ? one : many}`;
const orDash = (v: number | null, f: (n: number) => string): string => (v === null ? '—' : f(v));

function tiles(s: PnlSummary): string {
  const items: { label: string; value: string; cls?: string; sub?: string }[] = [
    { label: 'Net P&L (closed)', value: `${signedWon(s.net)} won`, cls: tone(s.net), sub: `gross ${signedWon(s.gross)}`,
    },
    {
      label: 'Trades', value: won(s.trades),
      sub: `${plural(s.wins, 'win', 'wins')} · ${plural(s.losses, 'loss', 'losses')}`,
    },
    { label: 'Win rate', value: orDash(s.winRateBp, (bp) => pct(bp)) },
    {
      label: 'Profit factor',
      value: orDash(s.profitFactor, (pf) => pf.toFixed(2)),
      ...(s.profitFactor === null && s.wins > 0 ? { sub: 'no losing trade' } : {}),
    },
    { label: 'Average win', value: orDash(s.avgWin, (n) => `${signedWon(n)} won`), cls: 'up' },
    { label: 'Average loss', value: orDash(s.avgLoss, (n) => `${signedWon(n)} won`), cls: 'down' },
    { label: 'Fees', value: `${won(s.commission)} won` },
    { label: 'Tax', value: `${won(s.tax)} won` },
    {
      label: 'Max drawdown',
      value: orDash(s.maxDrawdown, (d) => `${won(-d)} won`),
      ...(s.maxDrawdownBp === null ? { sub: 'no trading days' } : { sub: pct(-s.maxDrawdownBp), cls: 'down' }),
    },
    { label: 'Open trips', value: won(s.open) },
    {
      label: 'Unrealised', value: `${signedWon(s.unrealised)} won`, cls: tone(s.unrealised),
      sub: 'open trips at the last mark',
    },
  ];
  const html = items.map((t) => `<div class="tile"><div class="label">${esc(t.label)}</div>`
    + `<div class="value ${t.cls ?? ''}">${esc(t.value)}</div>`
    + `${t.sub ? `<div class="sub">${esc(t.sub)}</div>` : ''}</div>`);
  return `<section class="tiles">${html.join('\n')}</section>`;
}

const LEGEND = '<p class="legend"><span class="sw up"></span>gain <span class="sw down"></span>loss '
  + '<span class="muted">— red for gains and blue for losses, as Korean quotes show them.</span></p>';

function dailySection(daily: readonly DailyPnl[]): string {
  const spansYears = daily.length > 0 && daily[0]?.date.slice(0, 4) !== daily[daily.length - 1]?.date.slice(0, 4);
  const label = (d: DailyPnl): string => (spansYears ? formatDate(d.date) : formatDate(d.date).slice(5));
  const day = (d: DailyPnl): string => formatDate(d.date);
  const equity: Point[] = daily.map((d) => ({
    label: label(d), value: d.equity, tip: `${day(d)} equity ${won(d.equity)} won`,
  }));
  // drawdown is drawn below zero: a fall from the period's peak (as the max-drawdown tile), in the loss colour
  const falls = drawdowns(daily);
  const dd: Point[] = daily.map((d, i) => ({
    label: label(d), value: 0 - falls[i]!.won,
    tip: `${day(d)} drawdown ${won(0 - falls[i]!.won)} won (${pct(-falls[i]!.bp)})`,
  }));
  const realised: Point[] = daily.map((d) => ({
    label: label(d), value: d.realised,
    tip: `${day(d)} realised ${signedWon(d.realised)} won · fees ${won(d.fees)} · tax ${won(d.tax)}`,
  }));
  return `<section class="charts">
<h2>Equity</h2>
${lineChart('equity', 'Equity at each close, won', equity, 'bottom')}
<h2>Drawdown from the peak</h2>
${lineChart('drawdown', 'Drawdown from the running peak, won', dd, 'zero')}
<h2>Daily realised P&amp;L</h2>
${columnChart('daily', 'Realised P&L per trading day, after fees and tax, won', realised)}
${LEGEND}
</section>`;
}

function groupBars(input: ReviewInput, by: 'strategy' | 'symbol'): Bar[] {
  return groupTrips(input.roundTrips, by)
    .map(({ key, summary: g }) => {
      const name = by === 'symbol' ? input.names[key] : undefined;
      const label = name ? `${key} ${name}` : key;
      const trips = `${g.trades} trip${g.trades === 1 ? '' : 's'}`;
      const open = g.open > 0 ? `, ${g.open} open (unrealised ${signedWon(g.unrealised)} won)` : '';
      const note = `${signedWon(g.net)} · ${trips}${g.open > 0 ? ` · ${g.open} open` : ''}`;
      return { label, value: g.net, note, tip: `${label}: net ${signedWon(g.net)} won over ${trips} closed${open}` };
    })
    .sort((a, b) => b.value - a.value || (a.label < b.label ? -1 : 1));
}

function groupSection(input: ReviewInput): string {
  return `<section class="groups">
<div><h2>Net P&amp;L by strategy</h2>
${barChart('by-strategy', 'Net P&L of closed trips by strategy, won', groupBars(input, 'strategy'))}</div>
<div><h2>Net P&amp;L by symbol</h2>
${barChart('by-symbol', 'Net P&L of closed trips by symbol, won', groupBars(input, 'symbol'))}</div>
${LEGEND}
</section>`;
}

/** A trip's time: "11-02 10:47" when every trip falls in one year (the header names it), else with the year. */
function kstCell(t: EpochMs, withYear: boolean): Cell {
  const full = formatKst(t);
  return { html: `<span title="${esc(full)}">${esc(full.slice(withYear ? 0 : 5, 16))}</span>` };
}
const money = (n: number | null, cls = ''): Cell => num(n === null ? '—' : won(n), cls);

/** An open trip's exit column names its last mark under the price of any shares already sold. */
function exitCell(t: RoundTrip): Cell {
  const price = t.exitPrice === null ? (t.status === 'open' ? '' : '—') : esc(won(t.exitPrice));
  if (t.status === 'closed') return { html: price, num: true };
  const mark = t.mark === null ? 'no mark' : `mark ${esc(won(t.mark))}`;
  return { html: `${price}<div class="unreal">${mark}</div>`, num: true };
}

/** Net of the shares sold; an open trip adds its unrealised P&L at the mark. */
function netCell(t: RoundTrip): Cell {
  const net = t.closedQty > 0 ? `<span class="${tone(t.net)}">${esc(signedWon(t.net))}</span>` : '';
  if (t.status === 'closed') return { html: net, num: true };
  const u = t.unrealised === null
    ? '<div class="unreal">unpriced</div>'
    : `<div class="unreal ${tone(t.unrealised)}">${esc(signedWon(t.unrealised))} unrealised</div>`;
  return { html: net + u, num: true };
}

function tripRow(t: RoundTrip, names: ReviewInput['names'], withYear: boolean): Cell[] {
  const name = names[t.symbol];
  const sold = t.status === 'open' && t.closedQty > 0 ? `<div class="sub">${esc(won(t.closedQty))} sold</div>` : '';
  return [
    kstCell(t.openedAt, withYear),
    t.closedAt === null || t.status === 'open' ? { html: '<span class="tag">open</span>' }
      : kstCell(t.closedAt, withYear),
    { html: `<code>${esc(t.symbol)}</code>${name ? ` <span lang="ko">${esc(name)}</span>` : ''}` },
    text(t.strategy ?? '(external)'),
    { html: esc(won(t.qty)) + sold, num: true },
    money(t.entryPrice),
    exitCell(t),
    t.closedQty > 0 ? num(signedWon(t.gross), tone(t.gross)) : num('—'),
    money(t.closedQty > 0 ? t.commission : null),
    money(t.closedQty > 0 ? t.tax : null),
    netCell(t),
    t.returnBp === null ? num('—') : num(pct(t.returnBp, true), tone(t.returnBp)),
    num(t.holdingSeconds === null ? '—' : holding(t.holdingSeconds)),
    text(t.exitRule ?? ''),
  ];
}

function tripSection(input: ReviewInput): string {
  const trips = [...input.roundTrips].sort((a, b) => a.openedAt - b.openedAt || a.id - b.id);
  const instants = trips.flatMap((t) => (t.closedAt === null ? [t.openedAt] : [t.openedAt, t.closedAt]));
  const years = new Set(instants.map((t) => formatKst(t).slice(0, 4)));
  const year = years.size === 1 ? [...years][0] ?? '' : '';
  const headers: Cell[] = [
    text('opened'), text('closed'), text('symbol'), text('strategy'),
    num('qty'), num('entry'), num('exit'),
    num('gross'), num('fees'), num('tax'), num('net'), num('return'), num('held'), text('exit rule'),
  ];
  const body = trips.length === 0
    ? '<p class="empty">No round trips in this period yet.</p>'
    : table('trips', headers, trips.map((t) => tripRow(t, input.names, year === '')));
  return `<section class="trips"><h2>Round trips (${trips.length})</h2>
<p class="muted">Times in KST${year ? `, ${year}` : ''}. Prices and money in won. Gross, fees, tax and net are of the
shares sold; open trips show their unrealised P&amp;L at the last mark.</p>
${body}
</section>`;
}

function guardSection(input: ReviewInput): string {
  const rows = [...input.guards].sort((a, b) => b.blocked - a.blocked
    || (a.strategy < b.strategy ? -1 : a.strategy > b.strategy ? 1 : a.guard < b.guard ? -1 : 1));
  const body = rows.length === 0
    ? '<p class="empty">No guard checked an entry in this period.</p>'
    : table('guards', [text('strategy'), text('guard'), num('checked'), num('blocked'), num('blocked share')],
      rows.map((g) => [
        text(g.strategy), text(g.guard), num(won(g.checked)), num(won(g.blocked), g.blocked > 0 ? 'warn' : ''),
        num(g.checked > 0 ? pct(Math.trunc((g.blocked * 10_000) / g.checked)) : '—'),
      ]));
  return `<section class="guards"><h2>Guards that blocked entries</h2>\n${body}\n</section>`;
}
