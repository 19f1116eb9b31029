const DAY_MS = 86_400_000;

/**
 * Loop rejects `from`/`to` windows longer than 120 days. Longer windows are split into consecutive
 * windows of at most 100 days (the margin absorbs Loop's undocumented rounding of the boundary).
 */
export const MAX_LIST_WINDOW_MS = 100 * DAY_MS;

export interface ListWindow {
  from: Date;
  to: Date;
}

/** `YYYY-MM-DD HH:MM:SS` in UTC, the format Loop's list filter documents. */
export const formatLoopDateTime = (date: Date) => date.toISOString().slice(0, 19).replace('T', ' ');

/**
 * Windows covering [from, to] at whole seconds: `from` rounds down and `to` up, because Loop compares
 * at second precision and reading one extra second is harmless where missing one is not. Adjacent
 * windows share their boundary second; callers de-duplicate by return ID.
 */
export function splitListWindow(from: Date, to: Date, maxMs = MAX_LIST_WINDOW_MS): ListWindow[] {
  const start = Math.floor(from.getTime() / 1000) * 1000;
  const end = Math.ceil(to.getTime() / 1000) * 1000;
  if (Number.isNaN(start) || Number.isNaN(end)) throw new RangeError('Loop list window: invalid date');
  if (start > end) throw new RangeError('Loop list window: `from` is after `to`');
  const windows: ListWindow[] = [];
  let cursor = start;
  do {
    const windowEnd = Math.min(cursor + maxMs, end);
    windows.push({ from: new Date(cursor), to: new Date(windowEnd) });
    cursor = windowEnd;
  } while (cursor < end);
  return windows;
}
