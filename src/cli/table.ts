import Table from 'cli-table3';

/** No rule between rows: a day's decisions fit a screen (cli-table3 draws one by default). */
const COMPACT = { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' };

export function table(head: string[], rows: (string | number)[][]): string {
  const t = new Table({ head, chars: COMPACT, style: { head: [], border: [] } });
  for (const r of rows) t.push(r.map(String));
  // the one rule kept: under the heading, drawn like the top border
  const [top = '', heading = '', ...rest] = t.toString().split('\n');
  return [top, heading, top.replace('┌', '├').replaceAll('┬', '┼').replace('┐', '┤'), ...rest].join('\n');
}

/** Won with thousands separators; '' for none. */
export const won = (n: number | null): string => (n === null ? '' : n.toLocaleString('en-US'));
