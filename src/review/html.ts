/**
 * Text and number formatting for the HTML report. Every string that reaches the page goes through
 * `esc`: symbol names, rules, strategies and guards come from a trade log a user can edit.
 */

const ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;',
};

export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

/** Integer won with thousands separators, exact: 1234567 → "1,234,567", -1500 → "-1,500". */
export function won(n: number): string {
  const digits = String(Math.abs(Math.trunc(n))).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return n < 0 ? `-${digits}` : digits;
}

/** Won with an explicit sign for P&L: "+12,345", "-678", "0". */
export function signedWon(n: number): string {
  return n > 0 ? `+${won(n)}` : won(n);
}

/** Basis points as a percentage with two decimals, by integer arithmetic: 123 → "1.23 %", -5 → "-0.05 %". */
export function pct(bp: number, signed = false): string {
  const abs = Math.abs(Math.trunc(bp));
  const sign = bp < 0 ? '-' : signed && bp > 0 ? '+' : '';
  return `${sign}${Math.trunc(abs / 100)}.${String(abs % 100).padStart(2, '0')} %`;
}

/** A holding time: "45s", "12m", "3h 05m", "2d 4h". */
export function holding(seconds: number): string {
  const s = Math.max(0, Math.trunc(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.trunc(s / 60)}m`;
  if (s < 86_400) return `${Math.trunc(s / 3600)}h ${String(Math.trunc((s % 3600) / 60)).padStart(2, '0')}m`;
  return `${Math.trunc(s / 86_400)}d ${Math.trunc((s % 86_400) / 3600)}h`;
}

/** The class that colours a P&L figure: gains red, losses blue (the Korean convention). */
export function tone(n: number): string {
  return n > 0 ? 'up' : n < 0 ? 'down' : 'flat';
}

/** One table cell: already-escaped HTML, and how to align and colour it. */
export interface Cell {
  html: string;
  num?: boolean;
  cls?: string;
}

export const text = (s: string): Cell => ({ html: esc(s) });
export const num = (s: string, cls = ''): Cell => ({ html: esc(s), num: true, cls });

/** A table with a header row; cells are HTML the caller has escaped (see `text` and `num`). */
export function table(cls: string, headers: readonly Cell[], rows: readonly (readonly Cell[])[]): string {
  const cell = (tag: 'th' | 'td', c: Cell): string => {
    const classes = [c.num ? 'num' : '', c.cls ?? ''].filter(Boolean).join(' ');
    return `<${tag}${classes ? ` class="${classes}"` : ''}>${c.html}</${tag}>`;
  };
  const head = `<tr>${headers.map((h) => cell('th', h)).join('')}</tr>`;
  const body = rows.map((r) => `<tr>${r.map((c) => cell('td', c)).join('')}</tr>`).join('\n');
  return `<div class="scroll"><table class="${esc(cls)}"><thead>${head}</thead>\n<tbody>\n${body}\n</tbody></table>`
    + '</div>';
}
