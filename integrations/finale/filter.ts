import { formatFinaleDate } from './finale-date.ts';

/** One bound of a closed range; `null` leaves that side open. */
export type FilterBound = string | number | null;

/** Field → `[low, high]`; an exact match gives the same value twice. */
export type FinaleFilter = Record<string, readonly [FilterBound, FilterBound]>;

/** Finale answers 400 to a `lastUpdatedDate` range wider than this. */
export const MAX_UPDATED_WINDOW_MS = 30 * 24 * 60 * 60 * 1000;

/** The `filter=` query value: base64 of the JSON map (UTF-8, so non-ASCII SKUs survive). */
export const encodeFilter = (filter: FinaleFilter): string =>
  Buffer.from(JSON.stringify(filter), 'utf8').toString('base64');

export const exactly = (value: string): readonly [string, string] => [value, value];

export interface UpdatedWindow {
  since: Date;
  /** Open-ended when absent: Finale then measures the window up to its own "now". */
  until?: Date;
}

/**
 * Finale rejects a `lastUpdatedDate` range without a lower bound or spanning more than 30 days; checking
 * here turns that 400 into a clear error before a request (and a collection read) is spent.
 */
export function updatedWindowProblem({ since, until }: UpdatedWindow, now: number): string | undefined {
  if (Number.isNaN(since.getTime())) return 'the lastUpdatedDate window needs a valid lower bound';
  if (until !== undefined && Number.isNaN(until.getTime()))
    return 'the lastUpdatedDate upper bound is invalid';
  if (until !== undefined && until.getTime() < since.getTime()) {
    return 'the lastUpdatedDate window ends before it starts';
  }
  const end = until?.getTime() ?? now;
  if (end - since.getTime() > MAX_UPDATED_WINDOW_MS)
    return 'the lastUpdatedDate window may span at most 30 days';
  return undefined;
}

export const updatedWindowRange = ({ since, until }: UpdatedWindow): readonly [string, string | null] => [
  formatFinaleDate(since),
  until ? formatFinaleDate(until) : null,
];
