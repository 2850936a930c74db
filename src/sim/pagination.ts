import { pad100 } from './wire-format.js';
import type { SimRequest } from './wire-format.js';

/**
 * Continuation paging (docs/kis-wire.md §2.6). The request continues when header tr_cont is 'N' and
 * CTX_AREA_NK100 carries a key; without tr_cont 'N' the first page comes back, as at KIS.
 * ctx_area_fk100 echoes the search conditions, ctx_area_nk100 holds the key of the last row
 * sent (a row key rather than an offset, so rows added meanwhile do not shift pages); both are
 * space-padded to 100. Response tr_cont: 'F' first page with more, 'M' later page with more,
 * 'D' single page, 'E' last page of several.
 */
export interface Page<T> {
  rows: T[];
  fk100: string;
  nk100: string;
  trCont: 'F' | 'M' | 'D' | 'E';
}

export function paginate<T>(req: SimRequest, all: readonly T[], size: number, keyOf: (t: T) => string, conditions: readonly string[]): Page<T> {
  const nk = (req.query.get('ctx_area_nk100') ?? '').trim();
  const continuing = req.trCont === 'N' && nk !== '';
  let start = 0;
  if (continuing) {
    const i = all.findIndex((t) => keyOf(t) === nk);
    start = i < 0 ? all.length : i + 1;
  }
  const rows = all.slice(start, start + size);
  const more = start + size < all.length;
  const last = rows[rows.length - 1];
  return {
    rows,
    fk100: pad100(`${conditions.join('^')}^`),
    nk100: pad100(more && last !== undefined ? keyOf(last) : ''),
    trCont: continuing ? (more ? 'M' : 'E') : more ? 'F' : 'D',
  };
}
