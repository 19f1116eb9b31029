// The people at the other ends: customers submit returns in Loop (and some cancel them there), and the
// warehouse completes or cancels each Finale return a random while after it appears.
import { HTTPError } from 'got';
import type { SimControl } from './sim-control.ts';
import { finaleAccount, submitReturn, type Fate, type SubmittedReturn } from './world.ts';

export interface FinaleReturnRecord {
  returnId: string;
  returnUrl: string;
  statusId: string;
  createdDate: string;
  lastUpdatedDate: string;
}

const uniform = (maxMs: number) => Math.round(Math.random() * maxMs);

/** A control that may find the record already changed (409): that is an answer, not a failure. */
async function tolerateConflict(action: () => Promise<unknown>): Promise<'done' | 'conflict'> {
  try {
    await action();
    return 'done';
  } catch (error) {
    if (error instanceof HTTPError && error.response.statusCode === 409) return 'conflict';
    throw error;
  }
}

/** Loop's side: submits returns at the given moments and cancels the `loop-cancel` ones a while later. */
export class Customers {
  readonly submitted: SubmittedReturn[] = [];
  readonly cancelled = new Set<number>();
  private readonly pending = new Set<Promise<unknown>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  readonly errors: string[] = [];

  constructor(
    private readonly sims: { finale: SimControl; loop: SimControl },
    /** Longest wait between submitting a return and cancelling it in Loop. */
    private readonly maxCancelDelayMs: number,
  ) {}

  /** Submits return `index` after `atMs`, and later cancels it in Loop if its fate says so. */
  schedule(index: number, fate: Fate, atMs: number): void {
    this.later(atMs, async () => {
      const submitted = await submitReturn(this.sims, index, fate);
      this.submitted.push(submitted);
      if (fate === 'loop-cancel') {
        this.later(uniform(this.maxCancelDelayMs), async () => {
          await this.sims.loop.post(`/returns/${submitted.loopReturnId}/state`, { state: 'cancelled' });
          this.cancelled.add(submitted.loopReturnId);
        });
      }
    });
  }

  /** Resolves once every scheduled submission and cancellation has been made. */
  async settled(): Promise<void> {
    while (this.timers.size > 0 || this.pending.size > 0) {
      await Promise.allSettled([...this.pending]);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  stop(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private later(delayMs: number, run: () => Promise<void>): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      const running = run()
        .catch((error: unknown) => this.errors.push(String(error)))
        .finally(() => this.pending.delete(running));
      this.pending.add(running);
    }, delayMs);
    this.timers.add(timer);
  }
}

/**
 * Finale's side: looks at the account's returns every second and, a random while after a return appears,
 * completes it or (for `finale-cancel`) cancels it. Returns whose Loop return is being cancelled are left
 * for the service to cancel.
 */
export class Warehouse {
  /** When the warehouse first saw each Finale return, by returnUrl. */
  readonly seen = new Map<string, number>();
  readonly completed = new Set<string>();
  readonly cancelled = new Set<string>();
  readonly errors: string[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private poller: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly finale: SimControl,
    /** Fate by Finale returnId (`LOOP-<id>`). */
    private readonly fateOf: (returnId: string) => Fate | undefined,
    private readonly maxDelayMs: number,
  ) {}

  start(): void {
    const poll = async () => {
      try {
        for (const record of await this.returns()) this.notice(record);
      } catch (error) {
        this.errors.push(String(error));
      }
      // A poll in flight when the warehouse stops must not schedule another (the simulators may be gone).
      if (!this.stopped) this.poller = setTimeout(() => void poll(), 1_000);
    };
    void poll();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.poller);
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  returns(): Promise<FinaleReturnRecord[]> {
    return this.finale.get<FinaleReturnRecord[]>(`/accounts/${finaleAccount}/returns`);
  }

  private notice(record: FinaleReturnRecord): void {
    if (this.seen.has(record.returnUrl)) return;
    this.seen.set(record.returnUrl, Date.now());
    const fate = this.fateOf(record.returnId);
    if (record.statusId !== 'RETURN_CREATED' || fate === undefined || fate === 'loop-cancel') return;
    const action = fate === 'finale-cancel' ? 'cancel' : 'complete';
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void tolerateConflict(() => this.finale.post(`/returns/${action}`, { returnUrl: record.returnUrl }))
        .then((result) => {
          if (result === 'done')
            (action === 'cancel' ? this.cancelled : this.completed).add(record.returnUrl);
        })
        .catch((error: unknown) => this.errors.push(String(error)));
    }, uniform(this.maxDelayMs));
    this.timers.add(timer);
  }
}
