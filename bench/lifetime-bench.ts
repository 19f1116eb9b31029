// `npm run bench:lifetime`: what one return costs over its whole life, in history events and in Temporal
// Cloud billable actions, for the lives the issue budgets: the happy path, 14 days waiting for the
// warehouse, a tenant paused for 30 days, and an order missing for 72 hours then flagged. Each runs on the
// time-skipping test server against both simulators, on today's code (the frozen v1 workflow, which new
// returns no longer take: the v2 patch is refused for it) and on v2, in the same run. Prints figures and
// whether v2 meets each budget; asserts nothing. Also prints the fallback-check load of 50,000 open returns.
//
// Actions are counted by Temporal Cloud's published rules (docs.temporal.io/cloud/actions):
//   WorkflowExecutionStarted          1 per run: the start, and each continue-as-new's new run
//   WorkflowExecutionSignaled         1 each (the sweeper's report, a webhook's change, a nudge)
//   WorkflowExecutionUpdateAccepted   1 each (a rejected update also costs 1; none here)
//   ActivityTaskScheduled             1 each
//   activity retries                  1 per attempt after the first, counted as attempts run (a poll
//                                     abandoned when its wait ended has no history event for them)
//   activity heartbeats               1 each that reaches the server (counted as sent: an upper bound)
//   TimerStarted                      1 each (also the timer behind a condition with a timeout)
//   UpsertWorkflowSearchAttributes    1 each, except one that sets only TemporalChangeVersion (free)
//   MarkerRecorded                    1 per workflow task recording any (patch markers included)
//   queries                           not counted: a return's life needs none (`return show` costs 1)
// The tenant sweeper's own passes are the tenant's cost, shared by all its returns, and not counted here;
// its one signal to a return (the completion report) is.
import type { Context } from '@temporalio/activity';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { setTimeout as delay } from 'node:timers/promises';
import { fetchRunHistories, type RunHistory } from '../temporal/histories.ts';
import { unthrottledBudgets } from '../test/support/budgets.ts';
import { startPipeline, type Pipeline } from '../test/support/pipeline.ts';
import { createTimeSkippingEnv } from '../test/support/temporal.ts';
import { finaleReturnChangedSignal, tenantResumedSignal, type ReturnStage } from '../workflows/messages.ts';
import { finaleReturnIdFor } from '../workflows/return-plan.ts';
import { V2_PATCH } from '../workflows/return-workflow.ts';
import { fallbackLoad } from './fallback-load.ts';

type Generation = 'v1' | 'v2';

interface Scenario {
  name: string;
  budget: { events?: number; actions: number };
  /** Drives one return through its life; answers its Loop return ID. */
  run(world: World): Promise<string>;
}

interface World {
  env: TestWorkflowEnvironment;
  pipeline: Pipeline;
  generation: Generation;
  nextOrder: () => string;
}

const say = (line = '') => process.stdout.write(`${line}\n`);

/** Activity attempts and heartbeats per workflow ID, seen by the worker (not all are in history). */
const attempts = new Map<string, { retries: number; heartbeats: number }>();
const counting: ActivityInterceptorsFactory = (ctx: Context) => {
  const workflowId = ctx.info.workflowExecution?.workflowId ?? '';
  const counts = attempts.get(workflowId) ?? { retries: 0, heartbeats: 0 };
  attempts.set(workflowId, counts);
  if (ctx.info.attempt > 1) counts.retries += 1;
  const heartbeat = ctx.heartbeat.bind(ctx);
  Object.defineProperty(ctx, 'heartbeat', {
    value: (details?: unknown) => {
      counts.heartbeats += 1;
      heartbeat(details);
    },
  });
  return {};
};

interface Cost {
  runs: number;
  events: number;
  actions: number;
  breakdown: Record<string, number>;
  finaleCalls: number;
}

function costOf(runs: RunHistory[], workflowId: string, finaleCalls: number): Cost {
  const breakdown: Record<string, number> = {};
  const add = (kind: string, n = 1) => {
    breakdown[kind] = (breakdown[kind] ?? 0) + n;
  };
  let events = 0;
  for (const { history } of runs) {
    const markerTasks = new Set<string>();
    for (const event of history.events ?? []) {
      events += 1;
      if (event.workflowExecutionStartedEventAttributes) add('starts');
      else if (event.workflowExecutionSignaledEventAttributes) add('signals');
      else if (event.workflowExecutionUpdateAcceptedEventAttributes) add('updates');
      else if (event.activityTaskScheduledEventAttributes) add('activities');
      else if (event.timerStartedEventAttributes) add('timers');
      else if (event.upsertWorkflowSearchAttributesEventAttributes) {
        const fields = Object.keys(
          event.upsertWorkflowSearchAttributesEventAttributes.searchAttributes?.indexedFields ?? {},
        );
        if (fields.some((field) => field !== 'TemporalChangeVersion')) add('search-attribute upserts');
      } else if (event.markerRecordedEventAttributes) {
        markerTasks.add(String(event.markerRecordedEventAttributes.workflowTaskCompletedEventId));
      }
    }
    if (markerTasks.size > 0) add('markers', markerTasks.size);
  }
  const seen = attempts.get(workflowId);
  if (seen?.retries) add('activity retries', seen.retries);
  if (seen?.heartbeats) add('heartbeats', seen.heartbeats);
  const actions = Object.values(breakdown).reduce((sum, n) => sum + n, 0);
  return { runs: runs.length, events, actions, breakdown, finaleCalls };
}

type HistoryEvent = NonNullable<RunHistory['history']['events']>[number];

/**
 * Waits until the return's history shows `reached`. Read from history, never by query: the time-skipping
 * server records a workflow task for every query, which would count events a real life never has.
 */
async function waitFor(pipeline: Pipeline, loopReturnId: string, reached: (event: HistoryEvent) => boolean) {
  const workflowId = pipeline.handle(loopReturnId).workflowId;
  for (let tries = 0; tries < 1_200; tries++) {
    try {
      const runs = await fetchRunHistories(pipeline.client, workflowId);
      if (runs.some((run) => run.history.events?.some(reached))) return;
    } catch {
      // not started yet
    }
    await delay(100);
  }
  throw new Error(`return ${loopReturnId} never got there`);
}

/** The stage search attribute set to `stage` (both generations set it on settling into a wait). */
const stageSet =
  (stage: ReturnStage) =>
  (event: HistoryEvent): boolean => {
    const value =
      event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields?.ReturnStage;
    return (
      value?.data !== undefined &&
      value.data !== null &&
      Buffer.from(value.data).toString() === JSON.stringify(stage)
    );
  };

/** Waiting for the order: v1 on a timer, v2 on a poll activity. */
const timerStartedOrPollScheduled = (event: HistoryEvent) =>
  timerStarted(event) ||
  (event.activityTaskScheduledEventAttributes?.activityType?.name === 'findOrderInFinale' &&
    event.activityTaskScheduledEventAttributes.retryPolicy?.maximumAttempts === 0);

const timerStarted = (event: HistoryEvent) =>
  event.timerStartedEventAttributes !== undefined && event.timerStartedEventAttributes !== null;

/** The tenant sweeper's report of a completed Finale return: its one signal to the return. */
async function warehouseCompletes(pipeline: Pipeline, loopReturnId: string) {
  const created = pipeline.finaleReturns().find((r) => r.returnId === finaleReturnIdFor(loopReturnId));
  if (!created) throw new Error(`no Finale return for ${loopReturnId}`);
  pipeline.finale.state.completeReturn(created.returnUrl);
  await pipeline.handle(loopReturnId).signal(finaleReturnChangedSignal, {
    version: 1,
    statusId: 'RETURN_COMPLETED',
    returnUrl: created.returnUrl,
  });
  await pipeline.handle(loopReturnId).result();
}

const awaiting = stageSet('awaiting-finale-completion');

const scenarios: Scenario[] = [
  {
    name: 'happy path',
    budget: { events: 35, actions: 10 },
    async run({ pipeline, nextOrder }) {
      const order = nextOrder();
      const loopReturn = pipeline.submitReturn(`#${order}`, [
        { sku: 'TEE-BLK-M', returnReason: 'Too small' },
      ]);
      await pipeline.start(loopReturn);
      await waitFor(pipeline, loopReturn.id, awaiting);
      await warehouseCompletes(pipeline, loopReturn.id);
      return loopReturn.id;
    },
  },
  {
    name: '14 days waiting for the warehouse',
    budget: { events: 60, actions: 15 },
    async run({ env, pipeline, nextOrder }) {
      const order = nextOrder();
      const loopReturn = pipeline.submitReturn(`#${order}`, [
        { sku: 'TEE-BLK-M', returnReason: 'Too small' },
      ]);
      await pipeline.start(loopReturn);
      await waitFor(pipeline, loopReturn.id, awaiting);
      await env.sleep('14 days');
      await warehouseCompletes(pipeline, loopReturn.id);
      return loopReturn.id;
    },
  },
  {
    name: 'paused tenant, 30 days',
    budget: { actions: 25 },
    async run({ env, pipeline, generation, nextOrder }) {
      const order = nextOrder();
      const loopReturn = pipeline.submitReturn(`#${order}`, [{ sku: 'CAP-RED', returnReason: 'Too small' }]);
      await pipeline.store.pauseTenant(pipeline.tenantId);
      try {
        await pipeline.start(loopReturn);
        // v1 holds in its stage, re-checking on a timer; v2 settles into the paused stage.
        await waitFor(pipeline, loopReturn.id, generation === 'v1' ? timerStarted : stageSet('paused'));
        await env.sleep(generation === 'v1' ? V1_PAUSED_SAMPLE : '30 days');
      } finally {
        await pipeline.store.resumeTenant(pipeline.tenantId);
      }
      // v2: the sweeper's nudge on resume (v1 notices at its next 5-minute re-check).
      if (generation === 'v2')
        await pipeline.handle(loopReturn.id).signal(tenantResumedSignal, { version: 1 });
      else await env.sleep('5 minutes');
      await waitFor(pipeline, loopReturn.id, awaiting);
      await warehouseCompletes(pipeline, loopReturn.id);
      return loopReturn.id;
    },
  },
  {
    name: 'order missing 72 h, then flagged',
    budget: { actions: 30 },
    async run({ env, pipeline, nextOrder }) {
      // An order Finale never gets.
      const loopReturn = pipeline.submitReturn(`#9${nextOrder()}`, [
        { sku: 'CAP-RED', returnReason: 'Too small' },
      ]);
      await pipeline.start(loopReturn);
      await waitFor(pipeline, loopReturn.id, timerStartedOrPollScheduled);
      await env.sleep('73 hours');
      await waitFor(pipeline, loopReturn.id, stageSet('needs-attention'));
      // The scenario ends once flagged and parked; the workflow would wait on for an operator.
      await pipeline.handle(loopReturn.id).terminate('benchmark scenario finished');
      return loopReturn.id;
    },
  },
];

/**
 * v1 re-checks a paused tenant every 5 minutes (288 wake-ups a day, each a timer and a settings read):
 * 30 days would be 8,640 wake-ups, so one day is run and the wake-ups are scaled up to 30 days.
 */
const V1_PAUSED_SAMPLE = '1 day';
const V1_PAUSED_SCALE = 30;

interface Row {
  scenario: Scenario;
  v1: Cost;
  v2: Cost;
}

async function measure(generation: Generation): Promise<Map<string, Cost>> {
  const env = await createTimeSkippingEnv();
  const pipeline = await startPipeline({
    client: env.client,
    nativeConnection: env.nativeConnection,
    // Today's default fallback check was 12 hours.
    settings: generation === 'v1' ? { completionCheckIntervalMs: '12h' } : {},
    api: { budgets: unthrottledBudgets, maxConcurrent: { finale: 50, loop: 50 } },
    measure: {
      activityInterceptors: [counting],
      // Today's code: the workflow as it was before v2, which the v2 patch now guards.
      patchActivationCallback: generation === 'v1' ? ({ patchId }) => patchId !== V2_PATCH : undefined,
    },
  });
  let order = 8_000;
  const world: World = {
    env,
    pipeline,
    generation,
    nextOrder: () => {
      order += 1;
      // Synced under the order name, the first form looked up (no 404 on the way).
      pipeline.seedOrder(`#${order}`, ['TEE-BLK-M', 'CAP-RED']);
      return String(order);
    },
  };
  const costs = new Map<string, Cost>();
  try {
    // One unmeasured return first: a worker's first workflow tasks (bundle load, cold caches) can time
    // out and be retried, which a steady worker does not do.
    await scenarios[0]!.run(world);
    for (const scenario of scenarios) {
      const finaleBefore = pipeline.finale.state.calls.snapshot().total;
      const loopReturnId = await scenario.run(world);
      const workflowId = pipeline.handle(loopReturnId).workflowId;
      const runs = await fetchRunHistories(env.client, workflowId);
      let cost = costOf(runs, workflowId, pipeline.finale.state.calls.snapshot().total - finaleBefore);
      if (generation === 'v1' && scenario.name.startsWith('paused')) cost = scalePausedV1(cost);
      const taskProblems = runs.flatMap((run) =>
        (run.history.events ?? []).filter(
          (event) => event.workflowTaskTimedOutEventAttributes || event.workflowTaskFailedEventAttributes,
        ),
      ).length;
      if (taskProblems > 0)
        say(`  (${scenario.name}: ${taskProblems} workflow tasks timed out or failed: a loaded machine)`);
      costs.set(scenario.name, cost);
      say(`  ${generation} ${scenario.name}: ${cost.events} events, ${cost.actions} actions`);
    }
  } finally {
    await pipeline.close();
    await env.teardown();
  }
  return costs;
}

/** v1's paused wake-ups measured over one day, scaled to 30 (the rest of the life counted once). */
function scalePausedV1(cost: Cost): Cost {
  const perDay = { timers: 288, activities: 288 };
  const breakdown = { ...cost.breakdown };
  breakdown.timers = (breakdown.timers ?? 0) + perDay.timers * (V1_PAUSED_SCALE - 1);
  breakdown.activities = (breakdown.activities ?? 0) + perDay.activities * (V1_PAUSED_SCALE - 1);
  const wakeUpEvents = 11;
  return {
    ...cost,
    events: cost.events + wakeUpEvents * 288 * (V1_PAUSED_SCALE - 1),
    actions: Object.values(breakdown).reduce((sum, n) => sum + n, 0),
    breakdown,
  };
}

const fmtBreakdown = (cost: Cost) =>
  Object.entries(cost.breakdown)
    .map(([kind, n]) => `${n} ${kind}`)
    .join(', ');

say('bench:lifetime — one return over its whole life, on the time-skipping test server');
say("Measuring today's code (v1) …");
const v1 = await measure('v1');
say('Measuring v2 …');
const v2 = await measure('v2');

const rows: Row[] = scenarios.map((scenario) => ({
  scenario,
  v1: v1.get(scenario.name)!,
  v2: v2.get(scenario.name)!,
}));

say();
say(
  '| Life of one return | today: events | today: actions | v2: events | v2: actions | budget | v2 meets it |',
);
say('| --- | ---: | ---: | ---: | ---: | --- | --- |');
for (const { scenario, v1: before, v2: after } of rows) {
  const { events, actions } = scenario.budget;
  const meets = (events === undefined || after.events <= events) && after.actions <= actions;
  const budget = `${events === undefined ? '' : `≤ ${events} events, `}≤ ${actions} actions`;
  say(
    `| ${scenario.name} | ${before.events} | ${before.actions} | ${after.events} | ${after.actions} | ${budget} | ${meets ? 'yes' : 'NO'} |`,
  );
}
say();
for (const { scenario, v1: before, v2: after } of rows) {
  say(`${scenario.name}`);
  say(`  today: ${before.runs} run(s); ${fmtBreakdown(before)}; ${before.finaleCalls} Finale calls`);
  say(`  v2:    ${after.runs} run(s); ${fmtBreakdown(after)}; ${after.finaleCalls} Finale calls`);
}
say(`(today's paused tenant: ${V1_PAUSED_SAMPLE} measured, its 288 wake-ups a day scaled to 30 days)`);

const DAY = 86_400_000;
const steady = [3, 7, 14, 30, 60].map((days) =>
  fallbackLoad({
    returns: 50_000,
    arrivalsPerMinute: 50_000 / (days * 1440),
    waitMs: days * DAY,
    horizonMs: 2 * days * DAY,
    firstCheckMs: 4 * DAY,
  }),
);
const burst = fallbackLoad({
  returns: 50_000,
  arrivalsPerMinute: 40,
  waitMs: Infinity,
  horizonMs: 90 * DAY,
  firstCheckMs: 4 * DAY,
});
say();
say("Fallback checks of one tenant's 50,000 open returns (limit: 10% of 120 GET/min = 12/min):");
say(
  `  steady stream, waiting 3/7/14/30/60 days: busiest hour ${steady.map((l) => l.peakPerMinute.toFixed(1)).join(' / ')} GET/min`,
);
say(
  `  all 50,000 created at Finale's full create rate, never completing: busiest hour ${burst.peakPerMinute.toFixed(1)} GET/min`,
);
