// The first generation of the return workflow, frozen: returns whose workflow started before v2 (their
// history has no `return-workflow-v2` patch marker) run on to the end here, command for command as
// recorded (test/fixtures/histories/v1/). New returns, and v1 returns once they continue as new, run v2
// (workflows/return-workflow.ts). Delete this file, the v1 activities and the fixtures once no v1 return
// is open: `ExecutionStatus = "Running" AND WorkflowType = "returnWorkflow" AND TemporalChangeVersion IS NULL`.
import {
  ActivityFailure,
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
  type ActivityOptions,
} from '@temporalio/workflow';
import type { AlertActivities } from '../../activities/alert-activities.ts';
import type { ReturnActivities } from '../../activities/return-activities.ts';
import type { TenantSettings } from '../../config/tenant-settings.ts';
import type { LoopReturn } from '../../integrations/loop/loop-return.ts';
import {
  finaleReturnChangedSignal,
  loopReturnChangedSignal,
  markCompleteUpdate,
  retrySignal,
  retryUpdate,
  stateQuery,
  type FinaleReturnRef,
  type MarkComplete,
  type IssueDetails,
  type ReturnIssue,
  type ReturnOutcome,
  type ReturnStage,
  type ReturnState,
  type ReturnWorkflowInput,
} from '../messages.ts';
import { buildReturnPlan, finaleReturnIdFor, type ReturnPlan } from '../return-plan.ts';
import { searchAttributes } from '../search-attributes.ts';

const activityOptions: ActivityOptions = {
  startToCloseTimeout: '1 minute',
  retry: {
    initialInterval: '2 seconds',
    backoffCoefficient: 2,
    maximumInterval: '2 minutes',
    maximumAttempts: 8,
  },
};
const activities = proxyActivities<ReturnActivities>(activityOptions);
// The store being briefly unreachable must delay a return, never park it: retry without limit.
const { loadTenantSettings } = proxyActivities<ReturnActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

// An alert that cannot be delivered must never hold up a return.
const { sendAlert } = proxyActivities<AlertActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '5 seconds', maximumAttempts: 5 },
});

/** Runs an activity with a one-line summary the Web UI shows beside it. */
function summarised<A extends unknown[], R>(
  activity: { executeWithOptions(options: ActivityOptions, args: A): Promise<R> },
  summary: string,
  ...args: A
): Promise<R> {
  return activity.executeWithOptions({ ...activityOptions, summary }, args);
}

/** Backoff while the order has not reached Finale yet: minutes, growing to an hour. */
const orderRetryDelayMs = (attempt: number) => Math.min(60, 2 ** Math.min(attempt, 6)) * 60_000;
/** A problem that fixes itself (an outage) is re-checked sooner than one a person must fix. */
const WAITING_RECHECK_CAP_MS = 30 * 60_000;
/** How often a paused tenant's returns look again whether the tenant was resumed. */
const PAUSED_RECHECK_MS = 5 * 60_000;
const TIMELINE_LIMIT = 60;
const HISTORY_LIMIT = 5_000;

const FINALE_COMPLETED = 'RETURN_COMPLETED';
const FINALE_CANCELLED = 'RETURN_CANCELLED';
const isFinaleTerminal = (statusId: string) => statusId === FINALE_COMPLETED || statusId === FINALE_CANCELLED;

class ReturnCancelledInLoop extends Error {}

export async function returnWorkflowV1(input: ReturnWorkflowInput): Promise<ReturnState> {
  const nowIso = () => new Date().toISOString();
  const state: ReturnState = input.resume?.state ?? {
    version: 1,
    tenantId: input.tenantId,
    loopReturnId: input.loopReturnId,
    stage: 'received',
    waitingFor: 'Starting',
    flagReasons: [],
    unmappedReasons: [],
    attempts: 0,
    timeline: [],
  };

  // Re-read after every wait, so a setting fixed while the return was parked takes effect on retry. Loaded
  // once the handlers are registered, so the state query answers from the very first moment.
  let settings: TenantSettings;

  // Signals only set flags; the main flow decides what to do with them at a safe point.
  let retryRequested = false;
  let loopChanged = false;
  let finaleStatus: string | undefined;

  const record = (event: string) => {
    state.timeline.push({ at: nowIso(), stage: state.stage, event });
    if (state.timeline.length > TIMELINE_LIMIT)
      state.timeline.splice(0, state.timeline.length - TIMELINE_LIMIT);
  };
  const describe = (waitingFor: string) => {
    state.waitingFor = waitingFor;
    setCurrentDetails(`**${state.stage}** — ${waitingFor}`);
  };
  const enter = (stage: ReturnStage, waitingFor: string) => {
    if (state.stage !== stage) {
      state.stage = stage;
      upsertSearchAttributes([{ key: searchAttributes.stage, value: stage }]);
      record(`entered ${stage}`);
    }
    describe(waitingFor);
  };

  setHandler(stateQuery, () => state);
  setHandler(retrySignal, (request) => {
    retryRequested = true;
    record(`retry requested${request.by ? ` by ${request.by}` : ''}`);
  });
  setHandler(
    retryUpdate,
    (request) => {
      retryRequested = true;
      record(`retry requested${request.by ? ` by ${request.by}` : ''}`);
      return state;
    },
    {
      validator: (_request) => {
        if (state.stage !== 'needs-attention') {
          throw new Error(`Nothing to retry: the return is ${state.stage} (${state.waitingFor})`);
        }
      },
    },
  );
  setHandler(loopReturnChangedSignal, (change) => {
    loopChanged = true;
    record(`Loop reported ${change.trigger}${change.state ? ` (state ${change.state})` : ''}`);
  });
  setHandler(finaleReturnChangedSignal, (change) => {
    if (isFinaleTerminal(change.statusId)) finaleStatus = change.statusId;
    record(`Finale reported ${change.statusId}`);
  });
  setHandler(
    markCompleteUpdate,
    (request) => {
      state.manualCompletion = { by: request.by, reason: request.reason, at: nowIso() };
      finaleStatus = FINALE_COMPLETED;
      retryRequested = true;
      record(`marked complete outside Finale by ${request.by}: ${request.reason}`);
      return state;
    },
    {
      validator: (request: MarkComplete) => {
        if (!request.by.trim() || !request.reason.trim())
          throw new Error('Say who is marking it complete and why');
        if (!state.finaleReturn) throw new Error('No Finale return exists yet for this Loop return');
        if (state.stage !== 'awaiting-finale-completion' && state.stage !== 'needs-attention') {
          throw new Error(`Cannot mark complete while the return is ${state.stage}`);
        }
      },
    },
  );

  /** The issue a person was alerted about; cleared (with a second alert) once the return moves again. */
  let openIncident: ReturnIssue | undefined;

  async function alert(kind: 'needs-attention' | 'recovered', issue: ReturnIssue): Promise<void> {
    try {
      const result = await sendAlert({
        kind,
        tenantId: input.tenantId,
        loopReturnId: input.loopReturnId,
        orderName: state.orderName,
        issue,
      });
      record(`${kind === 'recovered' ? 'recovery' : 'needs-attention'} alert ${result}`);
    } catch {
      record(`${kind} alert could not be delivered`);
    }
  }

  /** Parks the return until an operator retries or the automatic re-check comes round. */
  async function park(issue: ReturnIssue, recheckMs: number): Promise<void> {
    state.lastError = issue;
    const previous = state.stage;
    enter('needs-attention', `${issue.message} — ${issue.fix}`);
    record(`needs attention (${issue.class}, ${issue.code}): ${issue.message}`);
    if (!openIncident) {
      openIncident = issue;
      await alert('needs-attention', issue);
    }
    retryRequested = false;
    const retried = await condition(() => retryRequested || loopChanged, recheckMs, {
      summary: `Automatic re-check (${issue.code})`,
    });
    retryRequested = false;
    record(retried ? 'resumed' : 'automatic re-check');
    settings = await loadTenantSettings(input.tenantId);
    enter(previous === 'needs-attention' ? 'resolving' : previous, 'Retrying');
  }

  /**
   * Runs one step until it succeeds. Expected business failures (and outages that outlast the activity's
   * own retries) park the return instead of failing the workflow.
   */
  async function step<T>(name: string, run: () => Promise<T>): Promise<T> {
    for (;;) {
      await checkLoopCancellation();
      await waitWhilePaused();
      state.attempts += 1;
      try {
        const result = await run();
        state.attempts = 0;
        state.lastError = undefined;
        if (openIncident) {
          const resolved = openIncident;
          openIncident = undefined;
          await alert('recovered', resolved);
        }
        return result;
      } catch (error) {
        const issue = issueFrom(error, name);
        if (issue.code === 'OrderNotFound') throw error;
        const recheck = settings.needsAttentionRecheckMs;
        await park(issue, issue.class === 'waiting' ? Math.min(recheck, WAITING_RECHECK_CAP_MS) : recheck);
      }
    }
  }

  /** A paused tenant's returns hold before their next action until the tenant is resumed. */
  async function waitWhilePaused(): Promise<void> {
    if (!settings.paused) return;
    const previous = state.stage;
    record('tenant paused: holding');
    while (settings.paused) {
      describe(`Tenant ${input.tenantId} is paused; this return continues when the tenant is resumed`);
      await condition(() => retryRequested || loopChanged, PAUSED_RECHECK_MS);
      retryRequested = false;
      settings = await loadTenantSettings(input.tenantId);
    }
    record('tenant resumed');
    enter(previous, 'Continuing');
  }

  /** Business problems arrive as an ApplicationFailure (raised here or by an activity) carrying IssueDetails. */
  function issueFrom(error: unknown, stepName: string): ReturnIssue {
    if (!(error instanceof ActivityFailure) && !(error instanceof ApplicationFailure)) throw error;
    const cause =
      error instanceof ApplicationFailure
        ? error
        : error.cause instanceof ApplicationFailure
          ? error.cause
          : undefined;
    const details = cause?.details?.[0] as IssueDetails | undefined;
    const message = cause?.message ?? error.message;
    if (details?.class) return { ...details, message, step: stepName, at: nowIso() };
    return {
      class: 'waiting',
      code: cause?.type ?? 'ActivityFailed',
      fix: 'Automatic re-check pending; if it keeps failing, an engineer should look at this activity failure',
      message,
      step: stepName,
      at: nowIso(),
    };
  }

  /** A `return.updated` webhook arrived: re-read the return from Loop rather than trusting webhook order. */
  async function checkLoopCancellation(): Promise<void> {
    if (!loopChanged) return;
    loopChanged = false;
    const current = await summarised(activities.getLoopReturn, 'Re-read the return in Loop after a change', {
      tenantId: input.tenantId,
      loopReturnId: input.loopReturnId,
    });
    if (current.state === 'cancelled') throw new ReturnCancelledInLoop();
  }

  const finish = (outcome: ReturnOutcome, stage: ReturnStage, summary: string): ReturnState => {
    state.outcome = outcome;
    enter(stage, summary);
    record(summary);
    return state;
  };

  settings = await loadTenantSettings(input.tenantId);

  try {
    let plan: ReturnPlan;
    let finaleReturn: FinaleReturnRef;
    if (input.resume) {
      ({ plan, finaleReturn } = input.resume);
    } else {
      upsertSearchAttributes([
        { key: searchAttributes.tenant, value: input.tenantId },
        { key: searchAttributes.loopReturnId, value: input.loopReturnId },
        { key: searchAttributes.stage, value: state.stage },
      ]);
      record('received');
      enter('resolving', 'Reading the return and matching it to Finale');
      const loopReturn = await step('read Loop return', () =>
        input.loopReturn
          ? Promise.resolve(input.loopReturn)
          : summarised(activities.getLoopReturn, `Read Loop return ${input.loopReturnId}`, {
              tenantId: input.tenantId,
              loopReturnId: input.loopReturnId,
            }),
      );
      if (loopReturn.state === 'cancelled') throw new ReturnCancelledInLoop();
      state.orderName = loopReturn.orderName;
      upsertSearchAttributes([{ key: searchAttributes.orderName, value: loopReturn.orderName }]);
      ({ plan, finaleReturn } = await createInFinale(loopReturn));
    }

    const completion = await awaitCompletion(plan, finaleReturn);
    return await updateLoop(plan, finaleReturn, completion);
  } catch (error) {
    if (!(error instanceof ReturnCancelledInLoop)) throw error;
    if (state.finaleReturn) {
      const ref = state.finaleReturn;
      await step('cancel Finale return', () =>
        summarised(activities.cancelFinaleReturn, `Cancel Finale return ${ref.returnId}`, {
          tenantId: input.tenantId,
          returnUrl: ref.returnUrl,
        }),
      );
    }
    return finish(
      'cancelled',
      'cancelled',
      state.finaleReturn
        ? `Cancelled in Loop; Finale return ${state.finaleReturn.returnId} cancelled`
        : 'Cancelled in Loop before a Finale return was created',
    );
  }

  async function createInFinale(
    loopReturn: LoopReturn,
  ): Promise<{ plan: ReturnPlan; finaleReturn: FinaleReturnRef }> {
    const tenantId = input.tenantId;
    const plan = await step('plan the Finale return', async () => {
      const built = buildReturnPlan(loopReturn.lineItems, settings);
      if (built.lineItemsWithoutSku.length > 0) {
        const titles = built.lineItemsWithoutSku.map((item) => `"${item.title}"`).join(', ');
        throw ApplicationFailure.nonRetryable(`Loop sent line items without a SKU: ${titles}`, 'MissingSku', {
          class: 'data',
          code: 'MissingSku',
          fix: 'Give the product variants a SKU in Shopify (it must match the Finale product ID), then retry',
        } satisfies IssueDetails);
      }
      return built;
    });
    state.flagReasons = plan.flagReasonsMatched;
    state.unmappedReasons = plan.unmappedReasons;
    if (plan.unmappedReasons.length > 0)
      record(`unmapped reasons left out: ${plan.unmappedReasons.join(', ')}`);

    const facility = await step('resolve facility', () =>
      summarised(activities.resolveFacility, `Find Finale location "${settings.destinationFacilityName}"`, {
        tenantId,
      }),
    );
    const order = await resolveOrderWithinWindow(loopReturn.orderName);
    // Most returns are of products on their own order: then no product look-up (and no activity) is needed.
    // Patched, so returns that started before this change replay exactly as they ran.
    const allKnown = plan.skus.every((sku) => order.productUrls[sku] !== undefined);
    const productUrls =
      patched('skip-product-lookup-when-order-knows-skus') && allKnown
        ? order.productUrls
        : await step('resolve SKUs', () =>
            summarised(activities.resolveProducts, `Match SKUs ${plan.skus.join(', ')} to Finale products`, {
              tenantId,
              skus: plan.skus,
              known: order.productUrls,
            }),
          );

    enter('creating-finale-return', 'Creating the return in Finale');
    const returnId = finaleReturnIdFor(input.loopReturnId);
    let tries = 0;
    const created = await step('create Finale return', () =>
      activities.createFinaleReturn.executeWithOptions(
        // The activity heartbeats while Finale answers, so a crashed worker is noticed in seconds.
        { ...activityOptions, heartbeatTimeout: '10 seconds', summary: `Create Finale return ${returnId}` },
        [
          {
            tenantId,
            returnId,
            loopReturnId: input.loopReturnId,
            orderUrl: order.orderUrl,
            facilityUrl: facility.facilityUrl,
            items: plan.items.map((item) => ({ ...item, productUrl: productUrls[item.sku] ?? '' })),
            // A create attempted before (and maybe applied) must be looked up, never blindly repeated.
            lookupFirst: tries++ > 0,
          },
        ],
      ),
    );
    const finaleReturn = { returnId: created.returnId, returnUrl: created.returnUrl };
    state.finaleReturn = finaleReturn;
    upsertSearchAttributes([{ key: searchAttributes.finaleReturnId, value: finaleReturn.returnId }]);
    record(
      `Finale return ${finaleReturn.returnId} ${created.existed ? 'found (created earlier)' : 'created'}`,
    );
    return { plan, finaleReturn };
  }

  /** The order may not have synced from Shopify yet: keep looking, durably, for the configured window. */
  async function resolveOrderWithinWindow(orderName: string) {
    let attempt = 0;
    let missingSince: number | undefined;
    let flaggedAsMissing = false;
    for (;;) {
      try {
        return await step('find order in Finale', () =>
          summarised(activities.resolveOrder, `Find order ${orderName} in Finale`, {
            tenantId: input.tenantId,
            orderName,
          }),
        );
      } catch (error) {
        const issue = issueFrom(error, 'find order in Finale');
        missingSince ??= Date.now();
        const waitedMs = Date.now() - missingSince;
        if (waitedMs < settings.orderMissingWindowMs) {
          const delayMs = Math.min(orderRetryDelayMs(attempt++), settings.orderMissingWindowMs - waitedMs);
          state.lastError = issue;
          describe(
            `Order ${orderName} is not in Finale yet; looking again in ${Math.round(delayMs / 60_000)} min`,
          );
          await condition(() => retryRequested || loopChanged, delayMs, {
            summary: `Look for order ${orderName} again`,
          });
          retryRequested = false;
          settings = await loadTenantSettings(input.tenantId);
          await checkLoopCancellation();
          continue;
        }
        const hours = Math.round(settings.orderMissingWindowMs / 3_600_000);
        const message = `Order ${orderName} not found in Finale after ${hours} h — check the Shopify→Finale sync`;
        if (!flaggedAsMissing) {
          await flagInLoop(message);
          flaggedAsMissing = true;
        }
        await park(
          {
            ...issue,
            message,
            fix: 'Check that the order synced from Shopify to Finale, then retry this return',
          },
          settings.needsAttentionRecheckMs,
        );
        missingSince = Date.now() - settings.orderMissingWindowMs;
      }
    }
  }

  async function awaitCompletion(plan: ReturnPlan, finaleReturn: FinaleReturnRef): Promise<string> {
    enter(
      'awaiting-finale-completion',
      `Waiting for the warehouse to complete Finale return ${finaleReturn.returnId}`,
    );
    for (;;) {
      if (finaleStatus) return finaleStatus;
      const woke = await condition(
        () => finaleStatus !== undefined || loopChanged,
        settings.completionCheckIntervalMs,
        { summary: `Fallback check of Finale return ${finaleReturn.returnId}` },
      );
      await checkLoopCancellation();
      if (!woke && !finaleStatus) {
        settings = await loadTenantSettings(input.tenantId);
        // Fallback in case the tenant sweeper is down: check this return directly, rarely.
        const current = await step('check Finale return', () =>
          summarised(activities.getFinaleReturn, `Check Finale return ${finaleReturn.returnId} (fallback)`, {
            tenantId: input.tenantId,
            returnUrl: finaleReturn.returnUrl,
          }),
        );
        if (isFinaleTerminal(current.statusId)) finaleStatus = current.statusId;
        enter(
          'awaiting-finale-completion',
          `Waiting for the warehouse to complete Finale return ${finaleReturn.returnId}`,
        );
      }
      const info = workflowInfo();
      if (
        !finaleStatus &&
        !loopChanged &&
        (info.continueAsNewSuggested || info.historyLength > HISTORY_LIMIT)
      ) {
        await condition(allHandlersFinished);
        await continueAsNew<typeof returnWorkflowV1>({
          ...input,
          loopReturn: undefined,
          resume: { plan, finaleReturn, state },
        });
      }
    }
  }

  async function flagInLoop(note: string): Promise<void> {
    const ids = { tenantId: input.tenantId, loopReturnId: input.loopReturnId };
    await step('flag in Loop', () =>
      summarised(activities.flagLoopReturn, `Flag Loop return ${input.loopReturnId} for review`, ids),
    );
    await step('add note in Loop', () =>
      summarised(activities.addLoopNote, `Note on Loop return ${input.loopReturnId}`, { ...ids, note }),
    );
    record(`flagged in Loop: ${note}`);
  }

  async function updateLoop(plan: ReturnPlan, finaleReturn: FinaleReturnRef, finaleStatusId: string) {
    enter('updating-loop', 'Updating the return in Loop');
    if (finaleStatusId === FINALE_CANCELLED) {
      await flagInLoop(`Finale return ${finaleReturn.returnId} was cancelled in Finale — review this return`);
      return finish(
        'flagged',
        'done',
        `Flagged in Loop: Finale return ${finaleReturn.returnId} was cancelled in Finale`,
      );
    }
    if (plan.flagReasonsMatched.length > 0) {
      const reasons = plan.flagReasonsMatched.map((r) => `"${r}"`).join(', ');
      await flagInLoop(
        `Held for review: return reason ${reasons} is in Flag Reasons. Finale return ${finaleReturn.returnId} is complete.`,
      );
      return finish('flagged', 'done', `Flagged in Loop for review (${reasons})`);
    }
    const action = await step('complete in Loop', async () => {
      state.completionAction = settings.completionAction;
      const result = await summarised(
        activities.completeLoopReturn,
        `${settings.completionAction === 'process' ? 'Process' : 'Close'} Loop return ${input.loopReturnId}`,
        {
          tenantId: input.tenantId,
          loopReturnId: input.loopReturnId,
          action: settings.completionAction,
        },
      );
      return { action: settings.completionAction, result };
    });
    if (action.result === 'already-cancelled')
      return finish('cancelled', 'cancelled', 'Already cancelled in Loop');
    if (action.result === 'already-closed') {
      return finish('already-closed-in-loop', 'done', 'Already closed in Loop; nothing to do');
    }
    return finish(
      action.action === 'process' ? 'processed' : 'closed',
      'done',
      `${action.action === 'process' ? 'Processed' : 'Closed'} in Loop`,
    );
  }
}
