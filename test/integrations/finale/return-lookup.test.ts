// The coalesced returnId look-up on its own, over a fake collection read: which look-ups a read answers,
// the windows it asks for, and what a failed read does.
import { describe, expect, it } from 'vitest';
import type { UpdatedWindow } from '../../../integrations/finale/filter.ts';
import {
  CoalescedReturnLookup,
  LOOKUP_CLOCK_SLACK_MS,
  LOOKUP_UNKNOWN_AGE_MS,
  LOOKUP_WINDOW_MS,
  lookupSince,
} from '../../../integrations/finale/return-lookup.ts';
import type { FinaleReturn } from '../../../integrations/finale/types.ts';

const DAY = 24 * 3_600_000;
const NOW = Date.parse('2030-06-15T12:00:00Z');
const ago = (ms: number) => new Date(NOW - ms);

interface Row {
  returnId: string;
  /** lastUpdatedDate, in ms. */
  updated: number;
}

/**
 * Finale's return collection filtered by lastUpdatedDate. Each read waits until `release` lets it finish,
 * so a test decides what happens while it is in flight.
 */
function fakeFinale(rows: Row[] = []) {
  const reads: { since: number; until?: number }[] = [];
  const pending: { settle: (fail?: Error) => void }[] = [];
  let hold = false;
  const read = async (window: UpdatedWindow): Promise<FinaleReturn[]> => {
    const since = window.since.getTime();
    const until = window.until?.getTime();
    expect((until ?? NOW) - since).toBeLessThanOrEqual(30 * DAY);
    reads.push({ since, ...(until === undefined ? {} : { until }) });
    if (hold) {
      await new Promise<void>((resolve, reject) =>
        pending.push({ settle: (fail) => (fail ? reject(fail) : resolve()) }),
      );
    }
    return rows
      .filter((row) => row.updated >= since && (until === undefined || row.updated <= until))
      .map((row) => ({
        returnId: row.returnId,
        returnUrl: `/acme/api/return/${row.returnId}-${row.updated}`,
        statusId: 'RETURN_CREATED',
        items: [],
      }));
  };
  return {
    rows,
    reads,
    lookup: new CoalescedReturnLookup({ read, now: () => NOW }),
    /** From now on each read waits for `finishRead`. */
    holdReads: () => (hold = true),
    async inFlight(count = 1) {
      while (pending.length < count) await new Promise((resolve) => setImmediate(resolve));
    },
    finishRead(fail?: Error) {
      pending.shift()!.settle(fail);
    },
  };
}

const recent = (returnId: string) => ({ returnId, since: ago(10 * 60_000) });

describe('CoalescedReturnLookup', () => {
  it('answers every look-up asked for before a read with that one read, found or not', async () => {
    const finale = fakeFinale([
      { returnId: 'LOOP-1', updated: NOW - 60_000 },
      { returnId: 'LOOP-3', updated: NOW - 5_000 },
    ]);
    const answers = await Promise.all(
      ['LOOP-1', 'LOOP-2', 'LOOP-3', 'LOOP-4'].map((id) => finale.lookup.find(recent(id))),
    );
    expect(answers.map((found) => found?.returnId)).toEqual(['LOOP-1', undefined, 'LOOP-3', undefined]);
    expect(finale.reads).toHaveLength(1);
  });

  it('reads from the earliest moment any waiting return could have been made, with no upper bound', async () => {
    const finale = fakeFinale();
    await Promise.all([
      finale.lookup.find({ returnId: 'LOOP-1', since: ago(5 * 60_000) }),
      finale.lookup.find({ returnId: 'LOOP-2', since: ago(3 * DAY) }),
      finale.lookup.find({ returnId: 'LOOP-3', since: ago(60_000) }),
    ]);
    expect(finale.reads).toEqual([{ since: NOW - 3 * DAY }]);
  });

  it('makes a look-up asked for while a read is in flight wait for the next read, which sees a create made meanwhile', async () => {
    const finale = fakeFinale();
    finale.holdReads();
    const first = finale.lookup.find(recent('LOOP-1'));
    await finale.inFlight();
    // An earlier attempt's create lands, then its retry looks the return up while the read is still out.
    finale.rows.push({ returnId: 'LOOP-2', updated: NOW });
    const second = finale.lookup.find(recent('LOOP-2'));
    const third = finale.lookup.find(recent('LOOP-3'));
    finale.finishRead();
    expect(await first).toBeUndefined();
    expect(finale.lookup.pending).toBe(2);
    await finale.inFlight();
    finale.finishRead();
    expect((await second)?.returnId).toBe('LOOP-2');
    expect(await third).toBeUndefined();
    expect(finale.reads).toHaveLength(2);
  });

  it('does not answer a look-up from a read sent before it was asked for, even when that read holds it', async () => {
    const finale = fakeFinale([{ returnId: 'LOOP-1', updated: NOW - 60_000 }]);
    finale.holdReads();
    const early = finale.lookup.find(recent('LOOP-9'));
    await finale.inFlight();
    const late = finale.lookup.find(recent('LOOP-1'));
    let lateAnswered = false;
    void late.then(() => (lateAnswered = true));
    finale.finishRead();
    await early;
    await new Promise((resolve) => setImmediate(resolve));
    expect(lateAnswered).toBe(false);
    await finale.inFlight();
    finale.finishRead();
    expect((await late)?.returnId).toBe('LOOP-1');
  });

  it('gives a failed read’s error to every look-up of that read, and the next read answers the next ones', async () => {
    const finale = fakeFinale([{ returnId: 'LOOP-3', updated: NOW }]);
    finale.holdReads();
    const failing = [finale.lookup.find(recent('LOOP-1')), finale.lookup.find(recent('LOOP-2'))].map(
      (lookup) => lookup.catch((error: unknown) => error),
    );
    await finale.inFlight();
    const next = finale.lookup.find(recent('LOOP-3'));
    const outage = new Error('Finale is down');
    finale.finishRead(outage);
    expect(await Promise.all(failing)).toEqual([outage, outage]);
    await finale.inFlight();
    finale.finishRead();
    expect((await next)?.returnId).toBe('LOOP-3');
    expect(finale.lookup.pending).toBe(0);
  });

  it('finds the first of two returns when Finale let a duplicate returnId through', async () => {
    const finale = fakeFinale([
      { returnId: 'LOOP-1', updated: NOW - 2_000 },
      { returnId: 'LOOP-1', updated: NOW - 1_000 },
    ]);
    const found = await finale.lookup.find(recent('LOOP-1'));
    expect(found?.returnUrl).toBe(`/acme/api/return/LOOP-1-${NOW - 2_000}`);
  });

  it('splits a look-up reaching back over 30 days into consecutive windows, oldest first, ending open', async () => {
    const finale = fakeFinale();
    const since = ago(70 * DAY);
    expect(await finale.lookup.find({ returnId: 'LOOP-1', since })).toBeUndefined();
    const start = since.getTime();
    expect(finale.reads).toEqual([
      { since: start, until: start + LOOKUP_WINDOW_MS },
      { since: start + LOOKUP_WINDOW_MS, until: start + 2 * LOOKUP_WINDOW_MS },
      { since: start + 2 * LOOKUP_WINDOW_MS },
    ]);
  });

  it('reports how far back a look-up has read, for a later look-up of the same return to start from', async () => {
    const finale = fakeFinale();
    const since = ago(70 * DAY).getTime();
    const progress: number[] = [];
    await finale.lookup.find({ returnId: 'LOOP-1', since: new Date(since) }, (coveredTo) =>
      progress.push(coveredTo.getTime()),
    );
    expect(progress).toEqual([since + LOOKUP_WINDOW_MS, since + 2 * LOOKUP_WINDOW_MS]);
  });

  it('keeps reading when a progress report fails', async () => {
    const finale = fakeFinale([{ returnId: 'LOOP-1', updated: NOW }]);
    const found = await finale.lookup.find({ returnId: 'LOOP-1', since: ago(40 * DAY) }, () => {
      throw new Error('heartbeat refused');
    });
    expect(found?.returnId).toBe('LOOP-1');
  });

  it('finds an old return the warehouse updates between two of its reads', async () => {
    const finale = fakeFinale([{ returnId: 'LOOP-1', updated: NOW - 45 * DAY }]);
    finale.holdReads();
    const lookup = finale.lookup.find({ returnId: 'LOOP-1', since: ago(40 * DAY) });
    await finale.inFlight();
    // The first (oldest) window is out; the return leaves it for a newer one before the read is answered.
    finale.rows[0]!.updated = NOW;
    finale.finishRead();
    await finale.inFlight();
    finale.finishRead();
    expect((await lookup)?.returnId).toBe('LOOP-1');
  });

  it('lets new look-ups take turns with an old one instead of waiting for all its windows', async () => {
    const finale = fakeFinale([{ returnId: 'LOOP-NEW', updated: NOW - 1_000 }]);
    finale.holdReads();
    const old = finale.lookup.find({ returnId: 'LOOP-OLD', since: ago(100 * DAY) });
    await finale.inFlight();
    const fresh = finale.lookup.find(recent('LOOP-NEW'));
    finale.finishRead();
    await finale.inFlight();
    expect(finale.reads[1]).toEqual({ since: recent('x').since.getTime() });
    finale.finishRead();
    expect((await fresh)?.returnId).toBe('LOOP-NEW');
    for (let read = 2; read < 5; read++) {
      await finale.inFlight();
      finale.finishRead();
    }
    expect(await old).toBeUndefined();
    expect(finale.reads.map((read) => read.until === undefined)).toEqual([false, true, false, false, true]);
  });
});

describe('lookupSince', () => {
  it('is the Loop return’s creation less the clock slack', () => {
    expect(lookupSince('2030-06-15T11:00:00.000Z', NOW).getTime()).toBe(
      Date.parse('2030-06-15T11:00:00Z') - LOOKUP_CLOCK_SLACK_MS,
    );
  });

  it('never starts after now, whatever Loop’s clock said', () => {
    expect(lookupSince('2030-06-16T00:00:00.000Z', NOW).getTime()).toBe(NOW - LOOKUP_CLOCK_SLACK_MS);
  });

  it.each([null, undefined, 'not a date'])('looks back a long way when the creation is %s', (createdAt) => {
    expect(lookupSince(createdAt, NOW).getTime()).toBe(NOW - LOOKUP_UNKNOWN_AGE_MS);
  });

  it('calls off the read in flight once every look-up it would answer is abandoned, and reads no more', async () => {
    const signals: AbortSignal[] = [];
    const lookup = new CoalescedReturnLookup({
      now: () => NOW,
      read: (_window, signal) => {
        signals.push(signal);
        return new Promise<FinaleReturn[]>((_resolve, reject) =>
          signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true }),
        );
      },
    });
    // A worker shutting down cancels its activities one by one.
    const cancels = [new AbortController(), new AbortController()];
    const lookups = cancels.map((cancel, i) =>
      lookup
        .find({ returnId: `LOOP-${i}`, since: ago(DAY) }, undefined, cancel.signal)
        .catch((e: unknown) => e),
    );
    while (signals.length === 0) await new Promise((resolve) => setImmediate(resolve));
    cancels[0]!.abort(new Error('first cancelled'));
    expect(signals[0]!.aborted).toBe(false);
    cancels[1]!.abort(new Error('second cancelled'));
    expect(signals[0]!.aborted).toBe(true);
    expect((await Promise.all(lookups)).map((e) => (e as Error).message)).toEqual([
      'first cancelled',
      'second cancelled',
    ]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(signals).toHaveLength(1);
    expect(lookup.pending).toBe(0);
  });
});
