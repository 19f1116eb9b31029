/**
 * Finale writes timestamps without a zone (`2021-05-18T09:59:31`); the simulator's account lives in UTC.
 * Deliberately independent of the client's date code: a shared mistake would pass the contract tests.
 */
export const toFinaleDate = (epochMs: number): string => new Date(epochMs).toISOString().slice(0, 19);

/** Reads a date as Finale might receive it: zone-less means UTC; an explicit zone is honoured. */
export function parseFinaleDate(value: unknown): number | undefined {
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const zoned = /T.*(?:Z|[+-]\d\d:?\d\d)$/i.test(value) || !value.includes('T') ? value : `${value}Z`;
  const epochMs = Date.parse(zoned);
  return Number.isNaN(epochMs) ? undefined : epochMs;
}
