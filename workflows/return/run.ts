// One run of a return's workflow: its state as operators see it, what it carries to the next run, and the
// few helpers every phase uses to act (`step`), wait (`waitForNudge`), stop for a person (`park`) or for a
// paused tenant (`holdWhilePaused`). Message handlers only set fields here; the phases act on them.
import {
  CancellationScope,
  condition,
  continueAsNew,
  allHandlersFinished,
  patched,
  setCurrentDetails,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import type { LoopReturn } from '../../integrations/loop/loop-return.ts';
import type {
  FinaleReturnChanged,
  FixLines,
  LoopReturnChanged,
  MarkComplete,
  ReturnCarry,
  ReturnIssue,
  ReturnOrigin,
  ReturnOutcome,
  ReturnStage,
  ReturnState,
  ReturnWorkflowInput,
} from '../messages.ts';
import type { ReceivedLine } from '../receipt-check.ts';
import { searchAttributes } from '../search-attributes.ts';
import { issueFrom } from './issues.ts';
import { activities, call, finishOptions, pollOptions, sendAlert, stepOptions } from './proxies.ts';
import { nextLookDelayMs, rateLimitedLookSchedule, recheckSchedule } from './schedules.ts';

/**
 * Marks runs that show a parked return's issue class in ReturnIssueClass: their upserts carry one more
 * attribute (or come where none came before), so histories recorded before it replay without it.
 */
export const ISSUE_CLASS_PATCH = 'return-issue-class-attribute';
/** Marks runs that wait out a busy API instead of parking: histories recorded before it parked. */
export const RATE_LIMIT_WAIT_PATCH = 'rate-limited-step-waits';

const TIMELINE_LIMIT = 60;
/** A waiting run continues as new past this many events, unless Temporal suggests it sooner. */
const HISTORY_LIMIT = 2_000;
/** Re-check interval when an issue did not say (the tenant's default). */
const DEFAULT_RECHECK_MS = 6 * 3_600_000;
/** A step that finds its API busy for this long parks the return: something else spends the budget. */
const RATE_LIMIT_PATIENCE_MS = 3_600_000;

export const FINALE_COMPLETED = 'RETURN_COMPLETED';
export const FINALE_CANCELLED = 'RETURN_CANCELLED';
const isFinaleTerminal = (statusId: string) => statusId === FINALE_COMPLETED || statusId === FINALE_CANCELLED;

/** Loop says the return was cancelled: every phase stops, and the Finale return (if any) is cancelled. */
export class ReturnCancelledInLoop extends Error {}

/** How a wait ended. */
export type Woke<T> =
  | { kind: 'until' }
  | { kind: 'timeout' }
  /** Loop reported a change worth re-reading the return for (it may have been cancelled). */
  | { kind: 'loop-changed' }
  | { kind: 'polled'; value: T }
  | { kind: 'poll-failed'; error: unknown };

export interface WaitOptions<T> {
  /** Shown on the timer in the Web UI. */
  summary: string;
  /** Stop waiting as soon as this holds. */
  until?: () => boolean;
  timeoutMs?: number;
  /** A poll activity to run meanwhile: the wait ends with its result. */
  poll?: () => Promise<T>;
}

const nowIso = () => new Date().toISOString();

/**
 * Behaviour a run has only when its history allows it (decided once, by patches, in the run's first
 * workflow task): a run that began before a change keeps behaving as it did, and takes the change when it
 * continues as new.
 */
export interface ReturnFeatures {
  /**
   * Route by Loop destination (skip or hold), add the tenant's Loop note on create, check what the warehouse
   * received before updating Loop, and show the issue a return is parked on as a search attribute.
   */
  destinationsAndReceipts: boolean;
}

export class ReturnRun {
  readonly tenantId: string;
  readonly loopReturnId: string;
  readonly origin: ReturnOrigin;
  readonly state: ReturnState;
  /** What the next run continues from; its `state` is `this.state`. */
  readonly carry: ReturnCarry;
  /** The webhook's or sweeper's snapshot, when it can be trusted as Loop's current state. */
  readonly snapshot: LoopReturn | undefined;

  /** A terminal status the sweeper reported before this run knew its Finale return. */
  private reported: FinaleReturnChanged | undefined;
  /** The wait in progress takes an operator's retry (a park, or an order not yet synced). */
  private acceptsRetry = false;
  private readonly historyLimit: number;
  /** Search attribute values as last written, so only changes are upserted. */
  private readonly shown = new Map<string, unknown>();

  constructor(
    private readonly input: ReturnWorkflowInput,
    readonly features: ReturnFeatures,
  ) {
    this.tenantId = input.tenantId;
    this.loopReturnId = input.loopReturnId;
    this.origin = input.origin ?? 'return.created';
    this.historyLimit = input.continueAsNewAfterEvents ?? HISTORY_LIMIT;
    this.carry = input.carry ?? this.firstCarry();
    this.state = this.carry.state;
    this.snapshot = this.origin === 'late-webhook' ? undefined : input.loopReturn;
    for (const pair of workflowInfo().typedSearchAttributes.getAll())
      this.shown.set(pair.key.name, pair.value);
  }

  private firstCarry(): ReturnCarry {
    const resume = this.input.resume;
    if (resume) return { state: resume.state, phase: 'await-completion' };
    return {
      phase: 'create-in-finale',
      receivedAt: Date.now(),
      state: {
        version: 1,
        tenantId: this.input.tenantId,
        loopReturnId: this.input.loopReturnId,
        stage: 'received',
        waitingFor: 'Starting',
        flagReasons: [],
        unmappedReasons: [],
        attempts: 0,
        timeline: [{ at: nowIso(), stage: 'received', event: `received (${this.origin})` }],
      },
    };
  }

  get ids() {
    return { tenantId: this.tenantId, loopReturnId: this.loopReturnId };
  }

  /** Finale's final status, once known: from a fallback check, the create, or a report of this return. */
  get finaleStatusId(): string | undefined {
    if (this.carry.finaleStatusId) return this.carry.finaleStatusId;
    const own = this.state.finaleReturn;
    const report = this.reported;
    if (own && report && (report.returnUrl === undefined || report.returnUrl === own.returnUrl)) {
      return report.statusId;
    }
    return undefined;
  }

  /** The lines of this return the completion report carried (the sweeper's read may leave them out). */
  get reportedItems(): ReceivedLine[] | undefined {
    const own = this.state.finaleReturn;
    const report = this.reported;
    if (!own || report?.statusId !== FINALE_COMPLETED) return undefined;
    return report.returnUrl === undefined || report.returnUrl === own.returnUrl ? report.items : undefined;
  }

  // --- the state operators see -----------------------------------------------------------------------

  record(event: string): void {
    this.state.timeline.push({ at: nowIso(), stage: this.state.stage, event });
    if (this.state.timeline.length > TIMELINE_LIMIT) {
      this.state.timeline.splice(0, this.state.timeline.length - TIMELINE_LIMIT);
    }
  }

  describe(waitingFor: string): void {
    this.state.waitingFor = waitingFor;
    setCurrentDetails(`**${this.state.stage}** — ${waitingFor}`);
  }

  enter(stage: ReturnStage, waitingFor: string): void {
    if (this.state.stage !== stage) {
      this.state.stage = stage;
      this.record(`entered ${stage}`);
    }
    this.describe(waitingFor);
  }

  finish(outcome: ReturnOutcome, stage: ReturnStage, summary: string): ReturnState {
    this.state.outcome = outcome;
    this.enter(stage, summary);
    this.record(summary);
    this.syncSearchAttributes();
    return this.state;
  }

  /**
   * Writes the search attributes that changed, in one upsert. Called only where the run settles (before
   * a wait, and at the end): a stage passed through in seconds costs no action, and the attributes are
   * current whenever anyone could be looking for a waiting return.
   */
  private syncSearchAttributes(): void {
    const wanted: SearchAttributeUpdatePair[] = [{ key: searchAttributes.stage, value: this.state.stage }];
    if (this.state.orderName) wanted.push({ key: searchAttributes.orderName, value: this.state.orderName });
    if (this.state.finaleReturn) {
      wanted.push({ key: searchAttributes.finaleReturnId, value: this.state.finaleReturn.returnId });
    }
    if (this.features.destinationsAndReceipts) {
      // Set when the return parks and cleared when it moves on, so a batch retry can select by issue.
      const parkedOn = this.state.stage === 'needs-attention' ? this.state.lastError?.code : undefined;
      if (parkedOn !== undefined || this.shown.has(searchAttributes.issueCode.name)) {
        wanted.push({ key: searchAttributes.issueCode, value: parkedOn ?? null });
      }
    }
    // Kept after the return moves on (read it with ReturnStage), so leaving a park costs no extra upsert.
    const issue = this.state.stage === 'needs-attention' ? this.state.lastError : undefined;
    if (issue && patched(ISSUE_CLASS_PATCH)) {
      wanted.push({ key: searchAttributes.issueClass, value: issue.class });
    }
    const changed = wanted.filter((pair) => (this.shown.get(pair.key.name) ?? null) !== pair.value);
    if (changed.length === 0) return;
    upsertSearchAttributes(changed);
    for (const pair of changed) {
      if (pair.value === null) this.shown.delete(pair.key.name);
      else this.shown.set(pair.key.name, pair.value);
    }
  }

  // --- messages ----------------------------------------------------------------------------------------

  /** Whether the wait in progress takes an operator's retry. */
  acceptRetries(accepts: boolean): void {
    this.acceptsRetry = accepts;
  }

  validateRetry(): void {
    if (!this.acceptsRetry) {
      throw new Error(`Nothing to retry: the return is ${this.state.stage} (${this.state.waitingFor})`);
    }
  }

  onRetry(by: string | undefined): ReturnState {
    this.carry.retryRequested = true;
    this.record(`retry requested${by ? ` by ${by}` : ''}`);
    return this.state;
  }

  onLoopChanged(change: LoopReturnChanged): void {
    this.record(`Loop reported ${change.trigger}${change.state ? ` (state ${change.state})` : ''}`);
    // Only a change away from "open" can stop the return; the return is re-read rather than trusting order.
    if (change.state !== 'open') this.carry.loopChanged = true;
  }

  onFinaleChanged(change: FinaleReturnChanged): void {
    const own = this.state.finaleReturn;
    if (own && change.returnUrl !== undefined && change.returnUrl !== own.returnUrl) {
      this.record(`ignored a Finale report about another return (${change.statusId})`);
      return;
    }
    if (isFinaleTerminal(change.statusId)) this.reported = change;
    this.record(`Finale reported ${change.statusId}`);
  }

  validateMarkComplete(request: MarkComplete): void {
    if (!request.by.trim() || !request.reason.trim())
      throw new Error('Say who is marking it complete and why');
    if (!this.state.finaleReturn) throw new Error('No Finale return exists yet for this Loop return');
    if (this.state.stage !== 'awaiting-finale-completion' && this.state.stage !== 'needs-attention') {
      throw new Error(`Cannot mark complete while the return is ${this.state.stage}`);
    }
  }

  onMarkComplete(request: MarkComplete): ReturnState {
    this.state.manualCompletion = { by: request.by, reason: request.reason, at: nowIso() };
    this.carry.finaleStatusId = FINALE_COMPLETED;
    this.carry.retryRequested = true;
    this.record(`marked complete outside Finale by ${request.by}: ${request.reason}`);
    return this.state;
  }

  validateFixLines(request: FixLines): void {
    if (!request.by.trim()) throw new Error('Say who is fixing the lines');
    const open = this.state.lastError?.lines ?? [];
    if (this.state.stage !== 'needs-attention' || open.length === 0) {
      throw new Error(
        `No line waits for a fix: the return is ${this.state.stage} (${this.state.waitingFor})`,
      );
    }
    const lines = request.lines ?? [];
    if (lines.length === 0 && !request.skipLinesWithoutSku) {
      throw new Error('Give a Finale product for a line, or continue without the lines');
    }
    for (const line of lines) {
      if (!open.some((candidate) => candidate.id === line.lineItemId)) {
        throw new Error(
          `Line ${line.lineItemId} is not one without a SKU; those are: ${open.map((l) => l.id).join(', ')}`,
        );
      }
      if (!/^[\x21-\x7e][\x20-\x7e]{0,99}$/.test(line.productId)) {
        throw new Error(`"${line.productId}" is not a Finale product ID (1–100 printable characters)`);
      }
    }
  }

  onFixLines(request: FixLines): ReturnState {
    const at = nowIso();
    const open = this.state.lastError?.lines ?? [];
    const fixes = (this.state.lineFixes ??= []);
    for (const line of request.lines ?? []) {
      fixes.push({ lineItemId: line.lineItemId, productId: line.productId, by: request.by, at });
      const title = open.find((candidate) => candidate.id === line.lineItemId)?.title ?? '';
      this.record(
        `line ${line.lineItemId} "${title}" returned as Finale product ${line.productId} (by ${request.by})`,
      );
    }
    if (request.skipLinesWithoutSku) {
      fixes.push({ skipLinesWithoutSku: true, by: request.by, at });
      this.record(`continuing without the lines that have no SKU (by ${request.by})`);
    }
    this.carry.retryRequested = true;
    return this.state;
  }

  // --- acting and waiting ------------------------------------------------------------------------------

  /**
   * Runs one step until it succeeds. Business failures, and outages that outlast the activity's own
   * retries, park the return; a paused tenant holds it; a busy API is waited out. Anything else (a bug)
   * fails the workflow task.
   */
  async step<T>(name: string, run: () => Promise<T>): Promise<T> {
    for (;;) {
      await this.checkLoop();
      this.state.attempts += 1;
      try {
        const result = await run();
        await this.succeeded(name);
        return result;
      } catch (error) {
        const issue = issueFrom(error, name, nowIso());
        if (!issue) throw error;
        if (issue.hold === 'tenant-paused') await this.holdWhilePaused();
        else if (issue.rateLimited && this.waitsOutRateLimit()) await this.waitOutRateLimit(issue);
        else await this.park(issue);
      }
    }
  }

  /**
   * A busy API (a 429 burst, a budget shared with a Black Friday's other returns) is no fault to alert
   * anyone about: the step is tried again after a pause, for up to an hour of the API staying busy.
   */
  private waitsOutRateLimit(): boolean {
    const since = this.carry.rateLimitedSince;
    if (since !== undefined && Date.now() - since >= RATE_LIMIT_PATIENCE_MS) return false;
    return patched(RATE_LIMIT_WAIT_PATCH);
  }

  private async waitOutRateLimit(issue: ReturnIssue): Promise<void> {
    if (this.carry.rateLimitedSince === undefined) {
      this.carry.rateLimitedSince = Date.now();
      this.record(`${issue.message}: waiting for the API, then trying again`);
    }
    this.describe(`${issue.message}; trying again shortly`);
    await this.waitForNudge({
      summary: `Wait out the rate limit (${issue.code})`,
      timeoutMs: nextLookDelayMs(
        rateLimitedLookSchedule,
        Date.now() - this.carry.rateLimitedSince,
        Math.random(),
      ),
    });
  }

  /**
   * A step succeeded. When it is the step the return was parked on, the return moves again and whoever
   * was alerted hears so; any other step (a Loop re-read while parked) changes nothing.
   */
  private async succeeded(step: string): Promise<void> {
    this.state.attempts = 0;
    this.carry.rateLimitedSince = undefined;
    const issue = this.state.lastError;
    if (issue && issue.step !== step) return;
    this.state.lastError = undefined;
    this.carry.parkedSince = undefined;
    const incident = this.carry.incident;
    if (incident) {
      this.carry.incident = undefined;
      await this.alert('recovered', incident);
    }
  }

  /** Parks the return until an operator retries or the automatic re-check (backing off) comes round. */
  async park(issue: ReturnIssue): Promise<void> {
    const from = this.state.stage === 'needs-attention' ? 'resolving' : this.state.stage;
    this.state.lastError = issue;
    const since = (this.carry.parkedSince ??= Date.now());
    this.enter('needs-attention', `${issue.message} — ${issue.fix}`);
    this.record(`needs attention (${issue.class}, ${issue.code}): ${issue.message}`);
    if (!this.carry.incident) {
      this.carry.incident = issue;
      await this.alert('needs-attention', issue);
    }
    const schedule = recheckSchedule(issue.recheckAfterMs ?? DEFAULT_RECHECK_MS, issue.class === 'waiting');
    this.carry.retryRequested = false;
    this.acceptsRetry = true;
    const woke = await this.waitForNudge({
      summary: `Automatic re-check (${issue.code})`,
      until: () => this.carry.retryRequested === true,
      timeoutMs: nextLookDelayMs(schedule, Date.now() - since, Math.random()),
    });
    this.acceptsRetry = false;
    this.carry.retryRequested = false;
    this.record(woke.kind === 'timeout' ? 'automatic re-check' : 'resumed');
    this.enter(from, 'Retrying');
  }

  /** Holds the return while its tenant is paused: resuming the tenant nudges it; a slow poll is the fallback. */
  async holdWhilePaused(): Promise<void> {
    const from = this.state.stage;
    const since = (this.carry.pausedSince ??= Date.now());
    this.enter(
      'paused',
      `Tenant ${this.tenantId} is paused; this return continues when the tenant is resumed`,
    );
    this.record('tenant paused: holding');
    this.resumed = false;
    this.carry.retryRequested = false;
    for (;;) {
      const woke = await this.waitForNudge({
        summary: 'Wait for the tenant to be resumed',
        until: () => this.resumed || this.carry.retryRequested === true,
        poll: () =>
          call(activities.awaitTenantResumed, pollOptions, 'Look whether the tenant was resumed', {
            tenantId: this.tenantId,
            poll: this.pollStart(since),
          }),
      });
      if (woke.kind !== 'loop-changed') break;
      await this.checkLoop();
    }
    this.carry.pausedSince = undefined;
    this.carry.retryRequested = false;
    this.record('tenant resumed');
    this.enter(from, 'Continuing');
  }

  /** Where a poll of a wait that began at `since` starts: its jitter seeded from the workflow's random. */
  pollStart(since: number): { waitedBeforeMs: number; seed: number } {
    return { waitedBeforeMs: Date.now() - since, seed: Math.floor(Math.random() * 2 ** 32) };
  }

  /** Set by the `tenantResumed` signal; read by a hold in progress. */
  resumed = false;

  /**
   * The one way this workflow waits: for `until`, a timeout, a poll's answer, or a Loop change worth
   * re-reading the return for. Brings the search attributes up to date first, and continues as new
   * (carrying everything) when the history has grown long.
   */
  async waitForNudge<T>(options: WaitOptions<T>): Promise<Woke<T>> {
    this.syncSearchAttributes();
    if (this.shouldContinueAsNew()) await this.continueAsNewNow();
    const ended: { woke?: Woke<T> } = {};
    const settle = (woke: Woke<T>) => {
      ended.woke ??= woke;
    };
    // Timer and poll run in a scope of their own, cancelled (the poll abandoned) once the wait is over.
    const scope = new CancellationScope();
    scope
      .run(async () => {
        const waits: Promise<void>[] = [];
        if (options.timeoutMs !== undefined) {
          waits.push(sleep(options.timeoutMs).then(() => settle({ kind: 'timeout' })));
        }
        if (options.poll) {
          waits.push(
            options.poll().then(
              (value) => settle({ kind: 'polled', value }),
              (error: unknown) => settle({ kind: 'poll-failed', error }),
            ),
          );
        }
        await Promise.all(waits);
      })
      .catch(() => undefined);
    await condition(
      () =>
        ended.woke !== undefined ||
        options.until?.() === true ||
        this.carry.loopChanged === true ||
        this.shouldContinueAsNew(),
    );
    const woke: Woke<T> | undefined =
      ended.woke ??
      (options.until?.() ? { kind: 'until' } : this.carry.loopChanged ? { kind: 'loop-changed' } : undefined);
    scope.cancel();
    return woke ?? this.continueAsNewNow();
  }

  private shouldContinueAsNew(): boolean {
    const info = workflowInfo();
    return info.continueAsNewSuggested || info.historyLength > this.historyLimit;
  }

  private async continueAsNewNow(): Promise<never> {
    await condition(allHandlersFinished);
    return continueAsNew<(input: ReturnWorkflowInput) => Promise<ReturnState>>({
      version: 1,
      tenantId: this.tenantId,
      loopReturnId: this.loopReturnId,
      origin: this.origin,
      // Until the Finale return exists, the snapshot spares the next run a Loop read.
      ...(this.carry.phase === 'create-in-finale' && this.snapshot ? { loopReturn: this.snapshot } : {}),
      carry: this.carry,
      ...(this.input.continueAsNewAfterEvents === undefined
        ? {}
        : { continueAsNewAfterEvents: this.input.continueAsNewAfterEvents }),
    });
  }

  /**
   * After Loop reported a change away from "open": re-read the return, and stop if it was cancelled. Once it
   * is known cancelled, later reports change nothing: the steps that cancel the Finale return run on.
   */
  async checkLoop(): Promise<void> {
    while (this.carry.loopChanged && !this.knownCancelled) {
      this.carry.loopChanged = false;
      const current = await this.step('re-read the return in Loop', () =>
        call(activities.getLoopReturn, stepOptions, 'Re-read the return in Loop after a change', this.ids),
      );
      if (current.state === 'cancelled') throw this.cancelledInLoop();
    }
  }

  /** Set once Loop said the return is cancelled. */
  private knownCancelled = false;

  /** Loop says the return is cancelled: the error that ends every phase (the workflow then cancels in Finale). */
  cancelledInLoop(): ReturnCancelledInLoop {
    this.knownCancelled = true;
    return new ReturnCancelledInLoop();
  }

  async flagInLoop(note: string): Promise<void> {
    await this.step('flag in Loop', () =>
      call(activities.updateReturnInLoop, finishOptions, `Flag Loop return ${this.loopReturnId} for review`, {
        ...this.ids,
        flagNote: note,
      }),
    );
    this.record(`flagged in Loop: ${note}`);
  }

  private async alert(kind: 'needs-attention' | 'recovered', issue: ReturnIssue): Promise<void> {
    try {
      const result = await sendAlert({ kind, ...this.ids, orderName: this.state.orderName, issue });
      this.record(`${kind === 'recovered' ? 'recovery' : 'needs-attention'} alert ${result}`);
    } catch {
      this.record(`${kind} alert could not be delivered`);
    }
  }
}
