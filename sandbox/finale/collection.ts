import { parseFinaleDate } from './finale-date.ts';

/** A Finale collection filter: field → closed range `[low, high]`, `null` = unbounded on that side. */
export type Filter = Record<string, [unknown, unknown]>;

const MAX_UPDATED_WINDOW_MS = 30 * 24 * 60 * 60 * 1000;

export class FilterError extends Error {}

/** `filter=` carries base64(JSON). Anything else is rejected, as a client sending raw JSON would be. */
export function decodeFilter(raw: string, now: number): Filter {
  let filter: unknown;
  try {
    filter = JSON.parse(Buffer.from(raw, 'base64').toString('utf8'));
  } catch {
    throw new FilterError('Invalid filter: expected base64-encoded JSON');
  }
  const valid =
    typeof filter === 'object' &&
    filter !== null &&
    !Array.isArray(filter) &&
    Object.values(filter).every((range) => Array.isArray(range) && range.length === 2);
  if (!valid) throw new FilterError('Invalid filter: expected an object of [low, high] ranges');
  const ranges = filter as Filter;
  if (ranges.lastUpdatedDate) checkUpdatedWindow(ranges.lastUpdatedDate, now);
  return ranges;
}

function checkUpdatedWindow([low, high]: [unknown, unknown], now: number): void {
  if (low === null) throw new FilterError('lastUpdatedDate filter requires a lower bound');
  const from = parseFinaleDate(low);
  const to = high === null ? now : parseFinaleDate(high);
  if (from === undefined || to === undefined)
    throw new FilterError('lastUpdatedDate filter has an invalid date');
  if (to - from > MAX_UPDATED_WINDOW_MS) {
    throw new FilterError('lastUpdatedDate filter may not span more than 30 days');
  }
}

function compare(value: unknown, bound: unknown, field: string): number | undefined {
  if (field.endsWith('Date')) {
    const [a, b] = [parseFinaleDate(value), parseFinaleDate(bound)];
    return a === undefined || b === undefined ? undefined : a - b;
  }
  if (typeof value === 'number' && typeof bound === 'number') return value - bound;
  if (typeof value === 'string' && typeof bound === 'string')
    return value < bound ? -1 : value > bound ? 1 : 0;
  return undefined;
}

/** Only top-level scalars can be filtered; a row without the field never matches. */
export const matchesFilter = (row: Record<string, unknown>, filter: Filter): boolean =>
  Object.entries(filter).every(([field, [low, high]]) => {
    const value = row[field];
    if (value === undefined || value === null || typeof value === 'object') return false;
    const aboveLow = low === null || (compare(value, low, field) ?? -1) >= 0;
    const belowHigh = high === null || (compare(value, high, field) ?? 1) <= 0;
    return aboveLow && belowHigh;
  });

/** Row-major records → Finale's column-major collection body; a row lacking a field gets null there. */
export function toColumns(rows: Record<string, unknown>[]): Record<string, unknown[]> {
  const fields = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  return Object.fromEntries(fields.map((field) => [field, rows.map((row) => row[field] ?? null)]));
}
