import type { UpdatedWindow } from './filter.ts';
import type { FinaleReturn } from './types.ts';

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;

/** The widest window one read asks for: a day under Finale's 30, so a Finale clock ahead of ours never makes it a 400. */
export const LOOKUP_WINDOW_MS = 29 * DAY_MS;
/**
 * Clock skew between Loop (which stamps the return's creation), this service and Finale (which stamps
 * lastUpdatedDate). Finale's zone-less dates are read as UTC here, as everywhere in this service.
 */
export const LOOKUP_CLOCK_SLACK_MS = 15 * MINUTE_MS;
/** How far back to look when the Loop return's creation time is unknown. */
export const LOOKUP_UNKNOWN_AGE_MS = 90 * DAY_MS;

/**
 * The lower bound of a look-up: a Finale return is created after its Loop return, and its lastUpdatedDate
 * only ever moves forward from its creation.
 */
export function lookupSince(loopCreatedAt: string | null | undefined, now: number): Date {
  const created = loopCreatedAt ? Date.parse(loopCreatedAt) : Number.NaN;
  if (Number.isNaN(created)) return new Date(now - LOOKUP_UNKNOWN_AGE_MS);
  return new Date(Math.min(created, now) - LOOKUP_CLOCK_SLACK_MS);
}

export interface ReturnLookupRequest {
  returnId: string;
  /** No Finale return with this returnId made before the request can have been updated before this. */
  since: Date;
}

export interface ReturnLookupOptions {
  /**
   * One collection read of the returns whose lastUpdatedDate falls in the window (open-ended without
   * `until`); `signal` fires when every look-up it would answer has been abandoned.
   */
  read: (window: UpdatedWindow, signal: AbortSignal) => Promise<FinaleReturn[]>;
  now?: () => number;
  /** Default `LOOKUP_WINDOW_MS`. */
  windowMs?: number;
}

interface Waiter {
  returnId: string;
  /**
   * Every Finale return of this returnId that existed when the look-up was asked for has a lastUpdatedDate at
   * or after this, or was in a read already: an open-ended read from here finishes the look-up.
   */
  coveredTo: number;
  onProgress: ((coveredTo: Date) => void) | undefined;
  resolve(found: FinaleReturn | undefined): void;
  reject(error: unknown): void;
}

/** Progress is advice for a later look-up: a report that fails must not stop the reads. */
function reportProgress(waiter: Waiter, coveredTo: number): void {
  try {
    waiter.onProgress?.(new Date(coveredTo));
  } catch {
    // The later look-up then starts from its own lower bound.
  }
}

const toSecond = (ms: number) => Math.floor(ms / 1000) * 1000;
const earliest = (waiters: Waiter[]) =>
  waiters.reduce((min, waiter) => Math.min(min, waiter.coveredTo), Number.POSITIVE_INFINITY);

/**
 * Look-ups of Finale returns by returnId for one credential, coalesced: every look-up waiting when a read is
 * sent is answered by that one collection read of the returns updated since the earliest of them could have
 * been made, with no upper bound. Finale allows 300 collection reads an hour, so one read per look-up would
 * cap new returns at five a minute; this way one read every ~12 s answers all the look-ups queued meanwhile.
 *
 * A look-up asked for while a read is in flight waits for the next read, so a create made before the
 * look-up was asked for (by an earlier attempt) is always in the read that answers it. A look-up reaching
 * back more than one window is covered oldest window first, ending with the open-ended one: a return
 * updated between two reads only moves forward in time, into a window still to be read. Such reads take
 * turns with the open-ended reads that new look-ups need, so an old return never holds up new ones.
 */
export class CoalescedReturnLookup {
  private readonly read: ReturnLookupOptions['read'];
  private readonly clock: () => number;
  private readonly windowMs: number;
  private waiting: Waiter[] = [];
  private reading = false;
  private lastReadCaughtUp = false;
  /** The read in flight: the look-ups it would still answer, and how to call it off once none is left. */
  private inFlight: { members: Set<Waiter>; abort: AbortController } | undefined;

  constructor(options: ReturnLookupOptions) {
    this.read = options.read;
    this.clock = options.now ?? Date.now;
    this.windowMs = options.windowMs ?? LOOKUP_WINDOW_MS;
  }

  /**
   * The return with this returnId (the first, if Finale let a duplicate through), or undefined.
   * `onProgress` hears how far a look-up reaching back several windows has got: a later look-up for the
   * same return may start from there (`since`), as no return that existed before is updated earlier.
   */
  find(
    request: ReturnLookupRequest,
    onProgress?: (coveredTo: Date) => void,
    signal?: AbortSignal,
  ): Promise<FinaleReturn | undefined> {
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    return new Promise((resolve, reject) => {
      const abandon = () => {
        // An abandoned look-up (its activity cancelled) leaves the queue: no read goes out for it alone.
        this.waiting = this.waiting.filter((other) => other !== waiter);
        const read = this.inFlight;
        if (read?.members.delete(waiter) && read.members.size === 0) {
          read.abort.abort(new Error('no look-up waits for this read'));
        }
        reject(signal!.reason as Error);
      };
      const waiter: Waiter = {
        returnId: request.returnId,
        coveredTo: toSecond(request.since.getTime()),
        onProgress,
        resolve: (found) => {
          signal?.removeEventListener('abort', abandon);
          resolve(found);
        },
        reject: (error) => {
          signal?.removeEventListener('abort', abandon);
          reject(error instanceof Error ? error : new Error(String(error)));
        },
      };
      signal?.addEventListener('abort', abandon, { once: true });
      this.waiting.push(waiter);
      void this.pump();
    });
  }

  /** Look-ups waiting, in or for a read. */
  get pending(): number {
    return this.waiting.length;
  }

  private async pump(): Promise<void> {
    if (this.reading) return;
    this.reading = true;
    try {
      while (this.waiting.length > 0) {
        // Look-ups asked for in the same turn of the event loop share the read.
        await new Promise<void>((resolve) => setImmediate(resolve));
        const members = [...this.waiting];
        if (members.length === 0) break;
        const window = this.nextWindow(members);
        const abort = new AbortController();
        this.inFlight = { members: new Set(members), abort };
        let rows: FinaleReturn[];
        try {
          rows = await this.read(
            {
              since: new Date(window.since),
              ...(window.until === undefined ? {} : { until: new Date(window.until) }),
            },
            abort.signal,
          );
        } catch (error) {
          this.settle(members, (waiter) => waiter.reject(error));
          continue;
        } finally {
          this.inFlight = undefined;
        }
        const byReturnId = new Map<string, FinaleReturn>();
        for (const row of rows) if (!byReturnId.has(row.returnId)) byReturnId.set(row.returnId, row);
        this.settle(members, (waiter) => {
          const found = byReturnId.get(waiter.returnId);
          if (found) return waiter.resolve(found);
          if (window.since > waiter.coveredTo) return 'waiting';
          if (window.until === undefined) return waiter.resolve(undefined);
          if (window.until > waiter.coveredTo) {
            waiter.coveredTo = window.until;
            reportProgress(waiter, window.until);
          }
          return 'waiting';
        });
      }
    } finally {
      this.reading = false;
    }
  }

  /**
   * Open-ended from the earliest look-up one read can finish; or, every other read while some reach back
   * further, the next window of those from the oldest.
   */
  private nextWindow(members: Waiter[]): { since: number; until?: number } {
    const openFrom = this.clock() - this.windowMs;
    const ready = members.filter((waiter) => waiter.coveredTo >= openFrom);
    const behind = members.filter((waiter) => waiter.coveredTo < openFrom);
    const catchUp = behind.length > 0 && (ready.length === 0 || !this.lastReadCaughtUp);
    this.lastReadCaughtUp = catchUp;
    if (!catchUp) return { since: earliest(ready) };
    const since = earliest(behind);
    return { since, until: toSecond(since + this.windowMs) };
  }

  /** Runs `outcome` for each member; those it does not answer (`'waiting'`) stay for the next read. */
  private settle(members: Waiter[], outcome: (waiter: Waiter) => void | 'waiting'): void {
    const done = new Set(members.filter((waiter) => outcome(waiter) !== 'waiting'));
    this.waiting = this.waiting.filter((waiter) => !done.has(waiter));
  }
}
