// Activities of the tenant sweeper: one Finale collection read and one Loop list call per pass, and a nudge
// for returns held while the tenant was paused.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import pLimit from 'p-limit';
import { tenantIdSchema } from '../config/tenant-settings.ts';
import { returnWorkflowId } from '../workflows/ids.ts';
import { finaleReturnChangedSignal, tenantResumedSignal } from '../workflows/messages.ts';
import { parseFinaleReturnId } from '../workflows/return-plan.ts';
import { searchAttributes } from '../workflows/search-attributes.ts';
import { deliverLoopChange, startReturnWorkflow } from '../temporal/workflow-starts.ts';
import { classified } from './failures.ts';
import { heartbeating } from './finale-steps.ts';
import type { TenantClients } from './tenant-clients.ts';

export interface SweeperActivityDeps {
  clientsFor: (tenantId: string) => Promise<TenantClients>;
  temporal: Client;
  taskQueue: string;
}

export interface FinaleSweepResult {
  /** When the read was made: the next pass starts from here (less an overlap). */
  readAt: string;
  changes: number;
  signalled: string[];
  /** Completed or cancelled Finale returns with no running workflow (finished already, or not ours). */
  unmatched: string[];
}

export interface LoopSweepResult {
  seen: number;
  started: string[];
  signalled: string[];
}

/** The only strings a visibility query here may hold: IDs this service made, in their own strict form. */
const QUERY_SAFE = /^[A-Za-z0-9_-]{1,64}$/;

/** Quotes a value for a visibility query, refusing anything but an ID this service made. */
function queryLiteral(value: string): string {
  if (!QUERY_SAFE.test(value))
    throw new Error(`refusing to put ${JSON.stringify(value)} in a visibility query`);
  return `"${value}"`;
}

/** Signals in flight at once during one pass. */
const SIGNAL_CONCURRENCY = 20;
/** Longer than the sweeper's window overlap, so a change is not delivered again on the next passes. */
const DELIVERED_TTL_MS = 15 * 60_000;

/** Keys seen recently, forgotten after a TTL; an optimisation only, since a repeated signal is harmless. */
function recentKeys(ttlMs: number) {
  const expiries = new Map<string, number>();
  return {
    has: (key: string) => (expiries.get(key) ?? 0) > Date.now(),
    remember(key: string) {
      const now = Date.now();
      if (expiries.size > 50_000) for (const [k, expiry] of expiries) if (expiry <= now) expiries.delete(k);
      expiries.set(key, now + ttlMs);
    },
  };
}

export function createSweeperActivities(deps: SweeperActivityDeps) {
  const delivered = recentKeys(DELIVERED_TTL_MS);
  /**
   * The workflow of one of this tenant's Finale returns. Only returnIds of the forms this service makes are
   * followed (anyone can type a returnId in Finale), and only to this tenant's workflows.
   */
  async function workflowIdFor(tenantId: string, finaleReturnId: string): Promise<string | undefined> {
    const ours = parseFinaleReturnId(finaleReturnId);
    if (!ours) return undefined;
    if ('loopReturnId' in ours) return returnWorkflowId(tenantId, ours.loopReturnId);
    // A hashed returnId cannot be reversed: find the workflow by its search attribute instead.
    const query =
      `${searchAttributes.finaleReturnId.name} = ${queryLiteral(ours.hashed)} AND ` +
      `${searchAttributes.tenant.name} = ${queryLiteral(tenantId)} AND ExecutionStatus = "Running"`;
    for await (const execution of deps.temporal.workflow.list({ query, pageSize: 1 }))
      return execution.workflowId;
    return undefined;
  }

  return classified({
    async sweepFinaleReturns({
      tenantId,
      since,
    }: {
      tenantId: string;
      since: string;
    }): Promise<FinaleSweepResult> {
      return heartbeating(async () => {
        const { finale } = await deps.clientsFor(tenantId);
        const readAt = new Date().toISOString();
        const changed = await finale.listReturnsChanged(
          {
            since: new Date(since),
            statuses: ['RETURN_COMPLETED', 'RETURN_CANCELLED'],
          },
          { priority: 'background' },
        );
        const signalled: string[] = [];
        const unmatched: string[] = [];
        // Windows overlap, so most changes come round more than once: each is delivered once per process.
        const fresh = changed.filter((r) => !delivered.has(`${tenantId}/${r.returnId}/${r.statusId}`));
        const limit = pLimit(SIGNAL_CONCURRENCY);
        const signal = async (finaleReturn: (typeof fresh)[number]) => {
          const key = `${tenantId}/${finaleReturn.returnId}/${finaleReturn.statusId}`;
          const workflowId = await workflowIdFor(tenantId, finaleReturn.returnId);
          if (!workflowId) {
            unmatched.push(finaleReturn.returnId);
            return;
          }
          try {
            await deps.temporal.workflow.getHandle(workflowId).signal(finaleReturnChangedSignal, {
              version: 1,
              statusId: finaleReturn.statusId,
              lastUpdatedDate: finaleReturn.lastUpdatedDate,
              returnUrl: finaleReturn.returnUrl,
              // When the collection read carried the lines, the return's receipt check needs no read of its own.
              ...(finaleReturn.statusId === 'RETURN_COMPLETED' &&
                finaleReturn.items && { items: finaleReturn.items }),
            });
            signalled.push(finaleReturn.returnId);
          } catch (error) {
            if (!(error instanceof WorkflowNotFoundError)) throw error;
            unmatched.push(finaleReturn.returnId);
          }
          delivered.remember(key);
        };
        await Promise.all(fresh.map((finaleReturn) => limit(() => signal(finaleReturn))));
        return { readAt, changes: changed.length, signalled, unmatched };
      });
    },

    async sweepLoopReturns({
      tenantId,
      from,
      to,
    }: {
      tenantId: string;
      from: string;
      to: string;
    }): Promise<LoopSweepResult> {
      return heartbeating(async () => {
        const { loop } = await deps.clientsFor(tenantId);
        const returns = await loop.listReturnsUpdated(
          { from: new Date(from), to: new Date(to) },
          { priority: 'background' },
        );
        const started: string[] = [];
        const signalled: string[] = [];
        for (const loopReturn of returns) {
          const start = { tenantId, loopReturnId: loopReturn.id, loopReturn, origin: 'sweeper' as const };
          if (loopReturn.state === 'open') {
            if (await startReturnWorkflow(deps.temporal, deps.taskQueue, start)) started.push(loopReturn.id);
          } else if (loopReturn.state === 'cancelled') {
            const delivered = await deliverLoopChange(deps.temporal, deps.taskQueue, start, {
              version: 1,
              trigger: 'sweeper',
              state: loopReturn.state,
            });
            if (delivered === 'signalled') signalled.push(loopReturn.id);
          }
        }
        return { seen: returns.length, started, signalled };
      });
    },

    /** Tells the tenant's returns held while it was paused that it is active again; answers how many. */
    async nudgeHeldReturns({ tenantId }: { tenantId: string }): Promise<number> {
      return heartbeating(async () => {
        const query =
          `${searchAttributes.tenant.name} = ${queryLiteral(tenantIdSchema.parse(tenantId))} AND ` +
          `${searchAttributes.stage.name} = "paused" AND ExecutionStatus = "Running"`;
        const held: string[] = [];
        for await (const execution of deps.temporal.workflow.list({ query })) held.push(execution.workflowId);
        const limit = pLimit(SIGNAL_CONCURRENCY);
        await Promise.all(
          held.map((workflowId) =>
            limit(async () => {
              try {
                await deps.temporal.workflow
                  .getHandle(workflowId)
                  .signal(tenantResumedSignal, { version: 1 });
              } catch (error) {
                if (!(error instanceof WorkflowNotFoundError)) throw error;
              }
            }),
          ),
        );
        return held.length;
      });
    },
  });
}

export type SweeperActivities = ReturnType<typeof createSweeperActivities>;
