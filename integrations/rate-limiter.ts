import pLimit, { type LimitFunction } from 'p-limit';
import { budgetWait, budgetExhausted, budgetTaken, budgetWaiting } from '../observability/api-metrics.ts';
import {
  bucketShape,
  budgetNames,
  requestPriorities,
  budgetsOfApi,
  publishedBudgets,
  type BucketShape,
  type BudgetName,
  type BudgetRule,
  type RequestPriority,
} from './budget-rules.ts';
import type { ApiName } from './errors.ts';
import { memoryTokenBuckets, type BudgetDraw, type TakeResult, type TokenBuckets } from './token-buckets.ts';

/** Tokens a call of this priority must leave in a bucket for the more pressing ones. */
const reserveFor = (priority: RequestPriority, shape: BucketShape): number =>
  priority === 'urgent' ? 0 : priority === 'work' ? shape.urgentReserve : shape.workReserve;

/** Per-call options every client read method accepts. */
export interface CallOptions {
  /** Default `work`. */
  priority?: RequestPriority;
}

export interface ApiBudgetsOptions {
  buckets: TokenBuckets;
  /** Defaults to the published limits. */
  rules?: Partial<Record<BudgetName, BudgetRule>>;
  /**
   * Longest a call waits for its token; beyond it the call fails as retryable and Temporal retries the
   * activity later, so an activity never waits out its own timeout in a queue.
   */
  maxWaitMs?: number;
  /** Calls in flight at once per credential in this process (Finale advises 3–5). */
  maxConcurrent?: Partial<Record<ApiName, number>>;
}

export const DEFAULT_BUDGET_MAX_WAIT_MS = 30_000;
/** Finale's users report 429s above 3–5 parallel calls; Loop states no such limit. */
export const defaultConcurrency: Record<ApiName, number> = { finale: 4, loop: 10 };

/** A call waited `maxWaitMs` for a budget without getting a token. */
export class BudgetWaitExceededError extends Error {
  override name = 'BudgetWaitExceededError';
  constructor(
    readonly budget: BudgetName,
    readonly waitedMs: number,
    /** A guess at when a token could be free: any block, then this process's queue ahead at the refill rate. */
    readonly retryAfterMs: number,
  ) {
    super(`waited ${Math.round(waitedMs / 1000)} s for the ${budget} budget`);
  }
}

const rank = (priority: RequestPriority) => requestPriorities.indexOf(priority);

/** Frees a credential's concurrency slot once the call that held it is done. */
type Release = () => void;

interface Waiter {
  priority: RequestPriority;
  grant(release: Release): void;
  fail(error: Error): void;
}

/**
 * The calls of one credential that draw from the same budgets (a collection read: the hourly collection
 * budget and the GETs), as this process sees them: its waiting calls, work before background, and a single
 * pump that asks the buckets for one call's tokens at a time. The pump first takes a concurrency slot, then
 * every token of the call in one take, and hands both to the call, which goes out at once: a token is never
 * held while its call waits for another budget or for a slot, so calls reach the API when the buckets let
 * them, not bunched later. A refused pump gives its slot back and sleeps the wait the buckets computed rather
 * than polling, and wakes early only when work arrives behind a background call.
 */
class BudgetQueue {
  private readonly waiting: Record<RequestPriority, Waiter[]> = { urgent: [], work: [], background: [] };
  private pumping = false;
  private sleeping: { priority: RequestPriority; until: number; wake: () => void } | undefined;
  /** The budget that refused the last take: what a call that gives up waited for. */
  private short: BudgetName;
  /** The scarcest budget's shape: its refill paces the calls of this queue. */
  private readonly pace: BucketShape;

  constructor(
    private readonly draws: readonly { budget: BudgetName; shape: BucketShape }[],
    private readonly slot: () => Promise<Release>,
    private readonly take: (draws: readonly BudgetDraw[]) => Promise<TakeResult>,
  ) {
    const scarcest = [...draws].sort((a, b) => a.shape.refillPerSecond - b.shape.refillPerSecond)[0]!;
    this.short = scarcest.budget;
    this.pace = scarcest.shape;
  }

  acquire(priority: RequestPriority, maxWaitMs: number, signal?: AbortSignal): Promise<Release> {
    const labelsOf = (budget: BudgetName) => ({ budget, priority });
    const each = (count: (labels: { budget: BudgetName; priority: RequestPriority }) => void) => {
      for (const { budget } of this.draws) count(labelsOf(budget));
    };
    const since = Date.now();
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    return new Promise<Release>((resolve, reject) => {
      const settle = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', abandon);
        each((labels) => budgetWaiting.dec(labels));
      };
      const waiter: Waiter = {
        priority,
        grant: (release) => {
          settle();
          each((labels) => {
            budgetTaken.inc(labels);
            budgetWait.observe(labels, (Date.now() - since) / 1000);
          });
          resolve(release);
        },
        fail: (error) => {
          settle();
          reject(error);
        },
      };
      const timer = setTimeout(() => {
        const ahead = this.ahead(waiter);
        if (!this.remove(waiter)) return;
        budgetExhausted.inc(labelsOf(this.short));
        // The pump sleeps until the head's tokens (after a 429's block, say); then one refill per call ahead.
        const interval = 1000 / this.pace.refillPerSecond;
        const retryAfterMs = Math.ceil(
          this.sleeping
            ? Math.max(0, this.sleeping.until - Date.now()) + ahead * interval
            : (ahead + 1) * interval,
        );
        waiter.fail(new BudgetWaitExceededError(this.short, Date.now() - since, retryAfterMs));
        this.wakeIfNobodyWaits();
      }, maxWaitMs);
      // The work this call belongs to was cancelled (a worker shutting down, say): it leaves the queue now.
      const abandon = () => {
        if (!this.remove(waiter)) return;
        waiter.fail(signal?.reason as Error);
        this.wakeIfNobodyWaits();
      };
      signal?.addEventListener('abort', abandon, { once: true });
      each((labels) => budgetWaiting.inc(labels));
      this.waiting[priority].push(waiter);
      // The pump sleeps out the wait of a less pressing call (its reserve): this one may go sooner.
      const sleeping = this.sleeping;
      if (sleeping && rank(priority) < rank(sleeping.priority)) sleeping.wake();
      void this.pump();
    });
  }

  /** Nobody left to wait for: the pump need not sleep out a long block. */
  private wakeIfNobodyWaits(): void {
    if (!this.head()) this.sleeping?.wake();
  }

  private head(): Waiter | undefined {
    for (const priority of requestPriorities)
      if (this.waiting[priority].length > 0) return this.waiting[priority][0];
    return undefined;
  }

  /** Calls of this process served before `waiter`. */
  private ahead(waiter: Waiter): number {
    const before = requestPriorities.slice(0, rank(waiter.priority));
    const pressing = before.reduce((sum, priority) => sum + this.waiting[priority].length, 0);
    return pressing + this.waiting[waiter.priority].indexOf(waiter);
  }

  private remove(waiter: Waiter): boolean {
    const queue = this.waiting[waiter.priority];
    const index = queue.indexOf(waiter);
    if (index < 0) return false;
    queue.splice(index, 1);
    return true;
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.head()) {
        const release = await this.slot();
        // Whoever is first now (the head may have given up, or work arrived, while the slot was awaited).
        const priority = this.head()?.priority;
        if (priority === undefined) {
          release();
          break;
        }
        let result: TakeResult;
        try {
          result = await this.take(
            this.draws.map(({ budget, shape }) => ({
              budget,
              shape,
              reserve: reserveFor(priority, shape),
            })),
          );
        } catch (error) {
          release();
          // The buckets cannot be read: the call fails (retryably) rather than going out unbudgeted.
          const head = this.head();
          if (head && this.remove(head)) head.fail(error instanceof Error ? error : new Error(String(error)));
          continue;
        }
        if (result.granted) {
          // The caller may have given up while the take was in flight: the tokens go to whoever is first now.
          const taker = this.head();
          if (taker && this.remove(taker)) taker.grant(release);
          else release();
          continue;
        }
        release();
        if (result.short) this.short = result.short;
        await this.sleep(result.waitMs, priority);
      }
    } finally {
      this.pumping = false;
    }
  }

  private sleep(ms: number, priority: RequestPriority): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(wake, Math.max(1, ms));
      function wake() {
        clearTimeout(timer);
        resolve();
      }
      this.sleeping = { priority, until: Date.now() + ms, wake };
    }).finally(() => (this.sleeping = undefined));
  }
}

/**
 * The API budgets of every merchant credential, for the HTTP clients: each call takes one token from each
 * budget it draws from, all in one take (shared through `TokenBuckets`), waits its turn in priority order,
 * and goes out within the credential's concurrency in this process; a 429 that still arrives stops the whole
 * credential until its reset, in every process that shares the buckets.
 */
export class ApiBudgets {
  readonly rules: Record<BudgetName, BudgetRule>;
  private readonly shapes: Record<BudgetName, BucketShape>;
  private readonly maxWaitMs: number;
  private readonly queues = new Map<string, BudgetQueue>();
  private readonly inFlight = new Map<string, LimitFunction>();
  private readonly concurrency: Record<ApiName, number>;

  constructor(private readonly options: ApiBudgetsOptions) {
    this.rules = { ...publishedBudgets, ...options.rules };
    this.shapes = Object.fromEntries(
      budgetNames.map((name) => [name, bucketShape(this.rules[name])]),
    ) as Record<BudgetName, BucketShape>;
    this.maxWaitMs = options.maxWaitMs ?? DEFAULT_BUDGET_MAX_WAIT_MS;
    this.concurrency = { ...defaultConcurrency, ...options.maxConcurrent };
  }

  /** Waits for a token of every budget in `budgets` and a concurrency slot of the credential, then runs `task`. */
  async run<T>(
    call: {
      api: ApiName;
      key: string;
      budgets: readonly BudgetName[];
      priority: RequestPriority;
      /** Aborted: the call stops waiting for its tokens and fails with the signal's reason. */
      signal?: AbortSignal;
    },
    task: () => Promise<T>,
  ): Promise<T> {
    const release = await this.queue(call).acquire(call.priority, this.maxWaitMs, call.signal);
    try {
      return await task();
    } finally {
      release();
    }
  }

  /** An upstream 429: no call of this credential to this API goes out anywhere until `waitMs` has passed. */
  obeyRateLimit(api: ApiName, key: string, waitMs: number): Promise<void> {
    return this.options.buckets.block(key, budgetsOfApi[api], waitMs);
  }

  private queue(call: { api: ApiName; key: string; budgets: readonly BudgetName[] }): BudgetQueue {
    const budgets = [...new Set(call.budgets)].sort();
    const id = [call.key, ...budgets].join('\u0000');
    let queue = this.queues.get(id);
    if (!queue) {
      const { key } = call;
      queue = new BudgetQueue(
        budgets.map((budget) => ({ budget, shape: this.shapes[budget] })),
        () => this.slot(call.api, key),
        (draws) => this.options.buckets.take({ key, draws }),
      );
      this.queues.set(id, queue);
    }
    return queue;
  }

  /** One of the credential's concurrent calls in this process, held until the release is called. */
  private slot(api: ApiName, key: string): Promise<Release> {
    const id = `${api}\u0000${key}`;
    let limit = this.inFlight.get(id);
    if (!limit) this.inFlight.set(id, (limit = pLimit(this.concurrency[api])));
    const held = limit;
    return new Promise<Release>((granted) => {
      void held(() => new Promise<void>((release) => granted(() => release())));
    });
  }
}

let processBudgets: ApiBudgets | undefined;

/**
 * Published budgets in this process's memory, for clients built without shared budgets (onboarding checks):
 * every such client in the process draws from the same buckets per credential.
 */
export function processLocalBudgets(): ApiBudgets {
  return (processBudgets ??= new ApiBudgets({ buckets: memoryTokenBuckets() }));
}
