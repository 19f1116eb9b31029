// Open returns for the memory figures of `npm run bench`: return workflows already waiting for the
// warehouse, started the way a waiting return continues after continue-as-new (input `resume`), so thousands
// reach that wait in minutes instead of going through every API call first. Each still runs as a real
// return: it loads its tenant's settings, then waits for its Finale return to be completed.
import type { Client } from '@temporalio/client';
import pLimit from 'p-limit';
import { returnWorkflowId } from '../workflows/ids.ts';
import type { ReturnState, ReturnWorkflowInput } from '../workflows/messages.ts';
import type { ReturnPlan } from '../workflows/return-plan.ts';
import type { returnWorkflow } from '../workflows/return-workflow.ts';
import { searchAttributes } from '../workflows/search-attributes.ts';

/** The lines every waiting return carries: the demo world's products and mapped reasons. */
export const waitingReturnItems = [
  { productId: 'TEE-BLK-M', quantity: 2, returnReasonId: '##user_00001' },
  { productId: 'CAP-RED', quantity: 1 },
];

export const finaleReturnIdOf = (loopReturnId: string) => `LOOP-${loopReturnId}`;

function waitingInput(tenantId: string, loopReturnId: string, returnUrl: string): ReturnWorkflowInput {
  const finaleReturn = { returnId: finaleReturnIdOf(loopReturnId), returnUrl };
  const at = new Date().toISOString();
  const plan: ReturnPlan = {
    items: waitingReturnItems.map(({ productId, ...item }) => ({ sku: productId, ...item })),
    skus: waitingReturnItems.map((item) => item.productId),
    unmappedReasons: [],
    flagReasonsMatched: [],
    lineItemsWithoutSku: [],
  };
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
      { at, stage: 'received', event: 'received' },
      { at, stage: 'creating-finale-return', event: `Finale return ${finaleReturn.returnId} created` },
      { at, stage: 'awaiting-finale-completion', event: 'entered awaiting-finale-completion' },
    ],
  };
  return { version: 1, tenantId, loopReturnId, resume: { plan, finaleReturn, state } };
}

/**
 * Starts one waiting return per Loop return ID; `finaleReturnUrl` gives (or creates) the Finale return each
 * one waits on.
 */
export async function startWaitingReturns(options: {
  client: Client;
  taskQueue: string;
  tenantId: string;
  loopReturnIds: string[];
  finaleReturnUrl: (loopReturnId: string) => Promise<string>;
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
}
