// Open returns for the memory figures of `npm run bench`: return workflows already waiting for the
// warehouse, started with what a waiting return carries across continue-as-new, so thousands reach that wait
// in minutes instead of going through every API call first. Each still runs as a real return: its fallback
// check of the Finale return runs once (a poll attempt that only schedules the next), then it waits.
import type { Client } from '@temporalio/client';
import pLimit from 'p-limit';
import { returnWorkflowId } from '../workflows/ids.ts';
import type { ReturnState, ReturnWorkflowInput } from '../workflows/messages.ts';
import type { returnWorkflow } from '../workflows/return-workflow.ts';
import { searchAttributes } from '../workflows/search-attributes.ts';
import { metricSum, scrape, until } from './process-memory.ts';

/** The lines every waiting return carries: the demo world's products and mapped reasons. */
export const waitingReturnItems = [
  { productId: 'TEE-BLK-M', quantity: 2, returnReasonId: '##user_00001' },
  { productId: 'CAP-RED', quantity: 1 },
];

export const finaleReturnIdOf = (loopReturnId: string) => `LOOP-${loopReturnId}`;

/** The activity every waiting return runs once as it reaches its wait: counting its attempts counts arrivals. */
const waitingActivity = 'awaitFinaleCompletion';

function waitingInput(tenantId: string, loopReturnId: string, returnUrl: string): ReturnWorkflowInput {
  const finaleReturn = { returnId: finaleReturnIdOf(loopReturnId), returnUrl };
  const now = Date.now();
  const at = new Date(now).toISOString();
  const state: ReturnState = {
    version: 1,
    tenantId,
    loopReturnId,
    orderName: '#1001',
    stage: 'awaiting-finale-completion',
    waitingFor: `Waiting for the warehouse to complete Finale return ${finaleReturn.returnId}`,
    finaleReturn,
    flagReasons: [],
    unmappedReasons: [],
    attempts: 0,
    timeline: [
      { at, stage: 'received', event: 'received (return.created)' },
      { at, stage: 'creating-finale-return', event: `Finale return ${finaleReturn.returnId} created` },
      { at, stage: 'awaiting-finale-completion', event: 'entered awaiting-finale-completion' },
    ],
  };
  return {
    version: 1,
    tenantId,
    loopReturnId,
    origin: 'return.created',
    carry: { state, phase: 'await-completion', receivedAt: now, awaitingSince: now },
  };
}

/**
 * Starts one waiting return per Loop return ID, then waits until every one has reached its wait, as the
 * application metrics of the worker's process (`metricsUrl`) count them. `finaleReturnUrl` gives (or
 * creates) the Finale return each one waits on.
 */
export async function startWaitingReturns(options: {
  client: Client;
  taskQueue: string;
  tenantId: string;
  loopReturnIds: string[];
  finaleReturnUrl: (loopReturnId: string) => Promise<string>;
  metricsUrl: string;
  concurrency?: number;
}): Promise<void> {
  const limit = pLimit(options.concurrency ?? 50);
  await Promise.all(
    options.loopReturnIds.map((loopReturnId) =>
      limit(async () => {
        const returnUrl = await options.finaleReturnUrl(loopReturnId);
        await options.client.workflow.start<typeof returnWorkflow>('returnWorkflow', {
          taskQueue: options.taskQueue,
          workflowId: returnWorkflowId(options.tenantId, loopReturnId),
          args: [waitingInput(options.tenantId, loopReturnId, returnUrl)],
          typedSearchAttributes: [
            { key: searchAttributes.tenant, value: options.tenantId },
            { key: searchAttributes.loopReturnId, value: loopReturnId },
            { key: searchAttributes.finaleReturnId, value: finaleReturnIdOf(loopReturnId) },
            { key: searchAttributes.stage, value: 'awaiting-finale-completion' },
          ],
        });
      }),
    ),
  );
  // Every return runs its fallback check once as it reaches its wait.
  const arrivals = async () =>
    metricSum((await scrape(options.metricsUrl)) ?? '', 'loop_finale_activity_attempts_total', [
      'activity_type',
      waitingActivity,
    ]);
  await until(
    'every return to reach its wait',
    async () => (await arrivals()) >= options.loopReturnIds.length,
    30 * 60_000,
    2_000,
  );
}
