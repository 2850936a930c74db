import { esc, tone, won } from './html.js';

/**
 * Hand-drawn inline SVG charts (docs/architecture.md §6: no chart library, no network). Each chart's
 * root <svg> says how many data points it draws (`data-points`) and every point or bar carries the
 * class `pt`, so a test in a real browser can check that every chart has its data.
 */

/** One point of a series: its x label, its value in won and the tooltip text. */
export interface Point {
  label: string;
  value: number;
  tip: string;
}

const W = 1000;
const PAD = { left: 96, right: 20, top: 16, bottom: 34 } as const;

/** A step of 1, 2 or 5 × 10^k won that cuts `range` into about four parts. */
function niceStep(range: number): number {
  const raw = range / 4;
  const pow = 10 ** Math.floor(Math.log10(raw));
  const m = raw / pow;
  return Math.max(1, (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * pow);
}

interface Axis {
  ticks: number[];
  /** value → y in the chart's coordinates */
  y: (v: number) => number;
}

function yAxis(values: readonly number[], withZero: boolean, top: number, bottom: number): Axis {
  let lo = Math.min(...values, ...(withZero ? [0] : []));
  let hi = Math.max(...values, ...(withZero ? [0] : []));
  if (lo === hi) {
    const pad = Math.max(1, Math.round(Math.abs(lo) / 100));
    [lo, hi] = [lo - pad, hi + pad];
  }
  const step = niceStep(hi - lo);
  const first = Math.floor(lo / step) * step;
  const last = Math.ceil(hi / step) * step;
  const ticks: number[] = [];
  for (let v = first; v <= last + step / 2; v += step) ticks.push(v);
  return { ticks, y: (v) => bottom - ((v - first) / (last - first)) * (bottom - top) };
}

const f1 = (n: number): string => n.toFixed(1);

/** At most about eight evenly spaced label positions, always the first and the last. */
function labelIndices(n: number): number[] {
  const every = Math.max(1, Math.ceil(n / 8));
  const out: number[] = [];
  for (let i = 0; i < n; i += every) out.push(i);
  const last = out[out.length - 1];
  if (last !== undefined && last !== n - 1) {
    // the last label replaces a close neighbour rather than overlap it
    if (n - 1 - last <= every / 2) out.pop();
    out.push(n - 1);
  }
  return out;
}

/** Horizontal grid lines with their won labels, and up to eight x labels under the plot. */
function frame(axis: Axis, height: number, xs: readonly number[], labels: readonly string[]): string {
  const bottom = height - PAD.bottom;
  const grid = axis.ticks.map((v) => {
    const y = f1(axis.y(v));
    return `<line class="grid${v === 0 ? ' zero' : ''}" x1="${PAD.left}" x2="${W - PAD.right}" y1="${y}" y2="${y}"/>`
      + `<text class="ylab" x="${PAD.left - 8}" y="${y}">${won(v)}</text>`;
  });
  const xl = labelIndices(labels.length)
    .map((i) => `<text class="xlab" x="${f1(xs[i] ?? 0)}" y="${bottom + 20}">${esc(labels[i] ?? '')}</text>`);
  return grid.join('') + xl.join('');
}

function svgRoot(cls: string, label: string, size: { w: number; h: number }, n: number, body: string): string {
  return `<svg class="chart ${cls}" data-points="${n}" viewBox="0 0 ${size.w} ${size.h}" role="img" `
    + `aria-label="${esc(label)}" xmlns="http://www.w3.org/2000/svg">${body}</svg>`;
}

const empty = (msg: string): string => `<p class="empty">${esc(msg)}</p>`;

/** A line over the points, shaded down to the bottom (`fill: 'bottom'`) or to zero (`'zero'`). */
export function lineChart(cls: string, label: string, points: readonly Point[], fill: 'bottom' | 'zero'): string {
  if (points.length === 0) return empty('No trading days in this period yet.');
  const height = 260;
  const bottom = height - PAD.bottom;
  const axis = yAxis(points.map((p) => p.value), fill === 'zero', PAD.top, bottom);
  const plotW = W - PAD.left - PAD.right;
  const xs = points.map((_, i) => PAD.left + (points.length === 1 ? plotW / 2 : (plotW * i) / (points.length - 1)));
  const coords = points.map((p, i) => `${f1(xs[i] ?? 0)},${f1(axis.y(p.value))}`);
  const base = f1(fill === 'zero' ? axis.y(0) : bottom);
  const area = `M${f1(xs[0] ?? 0)},${base} L${coords.join(' L')} L${f1(xs[xs.length - 1] ?? 0)},${base} Z`;
  const dots = points.map((p, i) => `<circle class="pt" cx="${f1(xs[i] ?? 0)}" cy="${f1(axis.y(p.value))}" r="3">`
    + `<title>${esc(p.tip)}</title></circle>`);
  const body = frame(axis, height, xs, points.map((p) => p.label))
    + `<path class="area" d="${area}"/><polyline class="line" points="${coords.join(' ')}"/>${dots.join('')}`;
  return svgRoot(cls, label, { w: W, h: height }, points.length, body);
}

/** Vertical bars from zero: gains red, losses blue. */
export function columnChart(cls: string, label: string, points: readonly Point[]): string {
  if (points.length === 0) return empty('No trading days in this period yet.');
  const height = 240;
  const axis = yAxis(points.map((p) => p.value), true, PAD.top, height - PAD.bottom);
  const band = (W - PAD.left - PAD.right) / points.length;
  const bw = Math.max(1, Math.min(48, band * 0.7));
  const xs = points.map((_, i) => PAD.left + band * (i + 0.5));
  const zero = axis.y(0);
  const bars = points.map((p, i) => {
    const y = axis.y(p.value);
    const h = Math.max(1, Math.abs(zero - y));
    return `<rect class="pt ${tone(p.value)}" x="${f1((xs[i] ?? 0) - bw / 2)}" y="${f1(Math.min(y, zero))}" `
      + `width="${f1(bw)}" height="${f1(h)}"><title>${esc(p.tip)}</title></rect>`;
  });
  const body = frame(axis, height, xs, points.map((p) => p.label)) + bars.join('');
  return svgRoot(cls, label, { w: W, h: height }, points.length, body);
}

/** One row of a horizontal bar chart: the label on the left, the value's text on the right. */
export interface Bar {
  label: string;
  value: number;
  note: string;
  tip: string;
}

/**
 * Horizontal bars from a zero line, one row per bar (P&L by strategy, by symbol). Narrower than the
 * time charts: two of them sit side by side, and their text should read at the same size.
 */
export function barChart(cls: string, label: string, bars: readonly Bar[]): string {
  if (bars.length === 0) return empty('No round trips in this period yet.');
  const [w, row] = [560, 26];
  const height = bars.length * row + 12;
  const [x0, x1] = [160, 360];
  const lo = Math.min(0, ...bars.map((b) => b.value));
  const hi = Math.max(0, ...bars.map((b) => b.value));
  const x = (v: number): number => x0 + (hi === lo ? 0 : ((v - lo) / (hi - lo)) * (x1 - x0));
  const zero = x(0);
  const rows = bars.map((b, i) => {
    const y = 6 + i * row;
    const [left, width] = [Math.min(x(b.value), zero), Math.max(1, Math.abs(x(b.value) - zero))];
    return `<text class="blab" x="${x0 - 10}" y="${y + row / 2}">${esc(b.label)}</text>`
      + `<rect class="pt ${tone(b.value)}" x="${f1(left)}" y="${y + 4}" width="${f1(width)}" `
      + `height="${row - 8}"><title>${esc(b.tip)}</title></rect>`
      + `<text class="bval ${tone(b.value)}" x="${w - 4}" y="${y + row / 2}">${esc(b.note)}</text>`;
  });
  const axisLine = `<line class="grid zero" x1="${f1(zero)}" x2="${f1(zero)}" y1="4" y2="${height - 4}"/>`;
  return svgRoot(cls, label, { w, h: height }, bars.length, axisLine + rows.join(''));
}
