import pLimit, { type LimitFunction } from 'p-limit';
import { budgetWait, budgetExhausted, budgetTaken, budgetWaiting } from '../observability/api-metrics.ts';
import {
  bucketShape,
  budgetNames,
  budgetsOfApi,
  publishedBudgets,
  type BucketShape,
  type BudgetName,
  type BudgetRule,
} from './budget-rules.ts';
import type { ApiName } from './errors.ts';
import { memoryTokenBuckets, type TakeResult, type TokenBuckets } from './token-buckets.ts';

/**
 * What a call is for. `work` moves a return forward (look-ups, creates, Loop actions) and always goes
 * first; `background` reads (fallback status checks, sweeps) only spend what work leaves over.
 */
export type RequestPriority = 'work' | 'background';

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

interface Waiter {
  priority: RequestPriority;
  grant(): void;
  fail(error: Error): void;
}

/**
 * One budget of one credential, as this process sees it: its waiting calls, work before background, and a
 * single pump that asks the buckets for one token at a time. A refused pump sleeps the wait the buckets
 * computed rather than polling, and wakes early only when work arrives behind a background call.
 */
class BudgetQueue {
  private readonly waiting: Record<RequestPriority, Waiter[]> = { work: [], background: [] };
  private pumping = false;
  private sleeping: { priority: RequestPriority; until: number; wake: () => void } | undefined;

  constructor(
    private readonly budget: BudgetName,
    private readonly shape: BucketShape,
    private readonly take: (reserve: number) => Promise<TakeResult>,
  ) {}

  acquire(priority: RequestPriority, maxWaitMs: number): Promise<void> {
    const labels = { budget: this.budget, priority };
    const since = Date.now();
    return new Promise<void>((resolve, reject) => {
      const settle = () => {
        clearTimeout(timer);
        budgetWaiting.dec(labels);
      };
      const waiter: Waiter = {
        priority,
        grant: () => {
          settle();
          budgetTaken.inc(labels);
          budgetWait.observe(labels, (Date.now() - since) / 1000);
          resolve();
        },
        fail: (error) => {
          settle();
          reject(error);
        },
      };
      const timer = setTimeout(() => {
        const ahead = this.ahead(waiter);
        if (!this.remove(waiter)) return;
        budgetExhausted.inc(labels);
        // The pump sleeps until the head's token (after a 429's block, say); then one refill per call ahead.
        const interval = 1000 / this.shape.refillPerSecond;
        const retryAfterMs = Math.ceil(
          this.sleeping
            ? Math.max(0, this.sleeping.until - Date.now()) + ahead * interval
            : (ahead + 1) * interval,
        );
        waiter.fail(new BudgetWaitExceededError(this.budget, Date.now() - since, retryAfterMs));
        // Nobody left to wait for: the pump need not sleep out a long block.
        if (!this.head()) this.sleeping?.wake();
      }, maxWaitMs);
      budgetWaiting.inc(labels);
      this.waiting[priority].push(waiter);
      if (priority === 'work' && this.sleeping?.priority === 'background') this.sleeping.wake();
      void this.pump();
    });
  }

  private head(): Waiter | undefined {
    return this.waiting.work[0] ?? this.waiting.background[0];
  }

  /** Calls of this process served before `waiter`. */
  private ahead(waiter: Waiter): number {
    const index = this.waiting[waiter.priority].indexOf(waiter);
    return waiter.priority === 'background' ? this.waiting.work.length + index : index;
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
      for (let head = this.head(); head; head = this.head()) {
        let result: TakeResult;
        try {
          result = await this.take(head.priority === 'work' ? 0 : this.shape.workReserve);
        } catch (error) {
          // The buckets cannot be read: the call fails (retryably) rather than going out unbudgeted.
          if (this.remove(head)) head.fail(error instanceof Error ? error : new Error(String(error)));
          continue;
        }
        if (result.granted) {
          // The head may have given up while the take was in flight: the token goes to whoever is first now.
          const taker = this.head();
          if (taker && this.remove(taker)) taker.grant();
          continue;
        }
        await this.sleep(result.waitMs, head.priority);
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
 * budget it draws from (shared through `TokenBuckets`), waits its turn in priority order, and a 429 that
 * still arrives stops the whole credential until its reset, in every process that shares the buckets.
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

  /** Waits for a token of every budget in `budgets` (scarcest first), then runs `task` within the credential's concurrency. */
  async run<T>(
    call: { api: ApiName; key: string; budgets: readonly BudgetName[]; priority: RequestPriority },
    task: () => Promise<T>,
  ): Promise<T> {
    const deadline = Date.now() + this.maxWaitMs;
    const scarcestFirst = [...call.budgets].sort(
      (a, b) => this.shapes[a].refillPerSecond - this.shapes[b].refillPerSecond,
    );
    for (const budget of scarcestFirst) {
      await this.queue(call.key, budget).acquire(call.priority, Math.max(0, deadline - Date.now()));
    }
    const id = `${call.api}\u0000${call.key}`;
    let limit = this.inFlight.get(id);
    if (!limit) this.inFlight.set(id, (limit = pLimit(this.concurrency[call.api])));
    return limit(task);
  }

  /** An upstream 429: no call of this credential to this API goes out anywhere until `waitMs` has passed. */
  obeyRateLimit(api: ApiName, key: string, waitMs: number): Promise<void> {
    return this.options.buckets.block(key, budgetsOfApi[api], waitMs);
  }

  private queue(key: string, budget: BudgetName): BudgetQueue {
    const id = `${key}\u0000${budget}`;
    let queue = this.queues.get(id);
    if (!queue) {
      const shape = this.shapes[budget];
      queue = new BudgetQueue(budget, shape, (reserve) =>
        this.options.buckets.take({ key, budget, shape, reserve }),
      );
      this.queues.set(id, queue);
    }
    return queue;
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
