import { returnStates, type ReturnState } from './control-schemas.ts';
import { validationError } from './laravel-errors.ts';
import { renderReturn, type IdMode } from './payloads.ts';
import type { SimReturn } from './records.ts';

const DAY_MS = 86_400_000;
export const MAX_WINDOW_DAYS = 120;
export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 750;

export interface ListContext {
  idMode: IdMode;
  paginationSupported: boolean;
  /** Absolute URL of this list request with `cursor` replaced. */
  pageUrl: (cursor: string) => string;
}

export interface ListAnswer {
  status: number;
  body: unknown;
}

interface Cursor {
  /** Sort value (ms) and ID of the boundary item; `d` = which side of it the page lies. */
  k: number;
  i: number;
  d: 'next' | 'prev';
}

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?: (\d{2}):(\d{2}):(\d{2}))?$/;

/** Loop's documented `YYYY-MM-DD HH:MM:SS` (or a bare date), read as UTC. */
function parseLoopDate(value: string): number | undefined {
  const m = DATE_TIME.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, h = '0', mi = '0', s = '0'] = m;
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  return Number.isNaN(ms) ? undefined : ms;
}

const encodeCursor = (cursor: Cursor) => Buffer.from(JSON.stringify(cursor)).toString('base64url');

function decodeCursor(text: string): Cursor | undefined {
  try {
    const value = JSON.parse(Buffer.from(text, 'base64url').toString()) as Partial<Cursor>;
    if (
      typeof value.k === 'number' &&
      typeof value.i === 'number' &&
      (value.d === 'next' || value.d === 'prev')
    ) {
      return value as Cursor;
    }
  } catch {
    // falls through to "invalid"
  }
  return undefined;
}

/** GET /warehouse/return/list: validation, filtering, and bare-array or cursor-paginated answers. */
export function listReturns(
  records: SimReturn[],
  query: Record<string, string | undefined>,
  ctx: ListContext,
): ListAnswer {
  const invalid: Record<string, string> = {};
  const from = query.from === undefined ? undefined : parseLoopDate(query.from);
  const to = query.to === undefined ? undefined : parseLoopDate(query.to);
  if (query.from === undefined) invalid.from = 'The from field is required.';
  else if (from === undefined) invalid.from = 'The from does not match the format Y-m-d H:i:s.';
  if (query.to === undefined) invalid.to = 'The to field is required.';
  else if (to === undefined) invalid.to = 'The to does not match the format Y-m-d H:i:s.';
  if (from !== undefined && to !== undefined) {
    if (to < from) invalid.to = 'The to must be a date after or equal to from.';
    else if (to - from > MAX_WINDOW_DAYS * DAY_MS) {
      invalid.to = `The date range may not be greater than ${MAX_WINDOW_DAYS} days.`;
    }
  }
  const filter = query.filter ?? 'created_at';
  if (filter !== 'created_at' && filter !== 'updated_at') invalid.filter = 'The selected filter is invalid.';
  const state = query.state;
  if (state !== undefined && !returnStates.includes(state as ReturnState))
    invalid.state = 'The selected state is invalid.';
  const pageSize = query.pageSize === undefined ? DEFAULT_PAGE_SIZE : Number(query.pageSize);
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
    invalid.pageSize = `The page size must be between 1 and ${MAX_PAGE_SIZE}.`;
  }
  const cursor = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
  if (query.cursor !== undefined && !cursor) invalid.cursor = 'The cursor is invalid.';
  if (Object.keys(invalid).length > 0 || from === undefined || to === undefined) {
    return { status: 422, body: validationError(invalid) };
  }

  // Loop keeps timestamps to the second.
  const sortValue = (r: SimReturn) =>
    Math.floor((filter === 'updated_at' ? r.updatedAt : r.createdAt) / 1000) * 1000;
  const compare = (a: SimReturn, b: SimReturn) => sortValue(a) - sortValue(b) || a.id - b.id;
  const matching = records
    .filter((r) => sortValue(r) >= from && sortValue(r) <= to && (state === undefined || r.state === state))
    .sort(compare);

  const paginate = ctx.paginationSupported && (query.paginate === 'true' || query.paginate === '1');
  if (!paginate) return { status: 200, body: matching.map((r) => renderReturn(r, ctx.idMode)) };

  const position = (r: SimReturn, c: Cursor) => sortValue(r) - c.k || r.id - c.i;
  let page: SimReturn[];
  if (!cursor) page = matching.slice(0, pageSize);
  else if (cursor.d === 'next') page = matching.filter((r) => position(r, cursor) > 0).slice(0, pageSize);
  else page = matching.filter((r) => position(r, cursor) < 0).slice(-pageSize);

  const first = page[0];
  const last = page.at(-1);
  const hasAfter = last !== undefined && matching.some((r) => compare(r, last) > 0);
  const hasBefore = first !== undefined && matching.some((r) => compare(r, first) < 0);
  return {
    status: 200,
    body: {
      returns: page.map((r) => renderReturn(r, ctx.idMode)),
      nextPageUrl: hasAfter ? ctx.pageUrl(encodeCursor({ k: sortValue(last), i: last.id, d: 'next' })) : null,
      previousPageUrl: hasBefore
        ? ctx.pageUrl(encodeCursor({ k: sortValue(first), i: first.id, d: 'prev' }))
        : null,
    },
  };
}
