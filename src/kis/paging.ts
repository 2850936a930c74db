import { AppError } from '../domain/index.js';
import { invalidResponse } from './errors.js';
import type { WireResponse } from './transport.js';

/**
 * Continuation paging (docs/kis-wire.md §2.6): the first call sends tr_cont '' and empty cursors;
 * while the response header tr_cont is F or M, the body's ctx_area_fk100/nk100 go back
 * VERBATIM — padding included, §13.13 — with tr_cont N. D, E or nothing ends it. A page cap
 * keeps a misbehaving server from looping us; hitting it is an error, because a reconcile on
 * a partial order list would be wrong.
 */
export interface PageCursor {
  trCont: '' | 'N';
  fk: string;
  nk: string;
}

export const FIRST_PAGE: PageCursor = { trCont: '', fk: '', nk: '' };
export const DEFAULT_MAX_PAGES = 20;

function cursorField(body: unknown, name: string): string {
  if (typeof body !== 'object' || body === null) return '';
  const v = (body as Record<string, unknown>)[name];
  return typeof v === 'string' ? v : '';
}

export function hasMore(res: WireResponse): boolean {
  return res.trCont === 'F' || res.trCont === 'M';
}

/** The cursor for the page after `res`, or null when `res` was the last page. */
export function nextCursor(res: WireResponse, endpoint: string, trId: string): PageCursor | null {
  if (!hasMore(res)) return null;
  const fk = cursorField(res.body, 'ctx_area_fk100');
  const nk = cursorField(res.body, 'ctx_area_nk100');
  if (nk.trim() === '') throw invalidResponse(endpoint, trId, res.status, 'ctx_area_nk100', `tr_cont ${res.trCont} announces more pages but the cursor is blank`);
  return { trCont: 'N', fk, nk };
}

export async function collectPages<T>(opts: {
  endpoint: string;
  trId: string;
  maxPages: number;
  fetchPage: (cursor: PageCursor) => Promise<WireResponse>;
  parse: (res: WireResponse) => T[];
}): Promise<{ rows: T[]; pages: WireResponse[] }> {
  const rows: T[] = [];
  const pages: WireResponse[] = [];
  let cursor: PageCursor | null = FIRST_PAGE;
  while (cursor !== null) {
    if (pages.length >= opts.maxPages) {
      throw new AppError('KIS_PAGE_LIMIT', `KIS ${opts.endpoint}: more than ${opts.maxPages} pages; refusing a partial list`, {
        details: { endpoint: opts.endpoint, trId: opts.trId, maxPages: opts.maxPages },
      });
    }
    const res = await opts.fetchPage(cursor);
    pages.push(res);
    rows.push(...opts.parse(res));
    cursor = nextCursor(res, opts.endpoint, opts.trId);
  }
  return { rows, pages };
}
