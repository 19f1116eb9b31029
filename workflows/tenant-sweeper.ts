// One sweeper per tenant: finds completed or cancelled Finale returns with one filtered collection read per
// pass and signals exactly their workflows, starts workflows for Loop returns whose webhook never came, and
// wakes the returns held while the tenant was paused once it is resumed. Cost is O(changes), not O(open
// returns).
import {
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  log,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
} from '@temporalio/workflow';
import type { SweeperActivities } from '../activities/sweeper-activities.ts';
import type { ReturnActivities } from '../activities/return-activities.ts';

export interface TenantSweeperInput {
  version: 1;
  tenantId: string;
  /** ISO timestamps up to which changes have been seen; carried across continue-as-new. */
  finaleCursor?: string;
  loopCursor?: string;
  /** The last pass found the tenant paused: the first active pass wakes its held returns. */
  paused?: boolean;
}

export interface SweepPass {
  at: string;
  finaleChanges: number;
  signalled: number;
  loopReturnsSeen: number;
  workflowsStarted: number;
  error?: string;
}

export interface TenantSweeperState {
  tenantId: string;
  paused: boolean;
  finaleCursor?: string;
  loopCursor?: string;
  lastPass?: SweepPass;
  passes: number;
  /** A pass is running, or one was asked for and is about to run. */
  busy: boolean;
}

export const sweepNowSignal = defineSignal('sweepNow');
export const sweeperStateQuery = defineQuery<TenantSweeperState>('sweeperState');

const { sweepFinaleReturns, sweepLoopReturns, nudgeHeldReturns } = proxyActivities<SweeperActivities>({
  startToCloseTimeout: '2 minutes',
  // A pass may wait for budget behind a burst of creates; its heartbeats let a crashed worker's pass be
  // retried within seconds instead of holding up every completion for the whole start-to-close timeout.
  heartbeatTimeout: '20 seconds',
  retry: { initialInterval: '5 seconds', maximumInterval: '1 minute', maximumAttempts: 3 },
});
const { loadTenantSettings } = proxyActivities<ReturnActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '2 seconds', maximumInterval: '1 minute', maximumAttempts: 5 },
});

const DAY_MS = 24 * 3_600_000;
/** Finale's lastUpdatedDate window may span at most 30 days. */
const MAX_FINALE_WINDOW_MS = 29 * DAY_MS;
/** How far back the very first pass looks. */
const FIRST_LOOKBACK_MS = DAY_MS;
/** Windows overlap a little so a change stamped while a read was in flight is never skipped. */
const OVERLAP_MS = 2 * 60_000;
/**
 * A Loop return is presumed to have missed its webhook only once it is this old: younger ones are still
 * being delivered (Loop retries), and starting each of them here would cost one start call per new return.
 */
const MISSED_WEBHOOK_GRACE_MS = 2 * 60_000;
const PASSES_PER_RUN = 100;

export async function tenantSweeperWorkflow(input: TenantSweeperInput): Promise<void> {
  const state: TenantSweeperState = {
    tenantId: input.tenantId,
    paused: input.paused ?? false,
    finaleCursor: input.finaleCursor,
    loopCursor: input.loopCursor,
    passes: 0,
    busy: true,
  };
  let sweepNow = false;
  /** A pass asked for (resuming a tenant asks for one) also wakes held returns, in case a pause went unseen. */
  let asked = false;
  setHandler(sweepNowSignal, () => {
    sweepNow = true;
    asked = true;
    state.busy = true;
  });
  setHandler(sweeperStateQuery, () => state);

  for (let pass = 0; pass < PASSES_PER_RUN; pass++) {
    let intervalMs = 5 * 60_000;
    try {
      const settings = await loadTenantSettings(input.tenantId);
      intervalMs = settings.sweeperIntervalMs;
      const wasPaused = state.paused;
      state.paused = settings.paused;
      if (!settings.paused) {
        // Patched: sweepers that ran before held returns existed replay without the nudge.
        if ((wasPaused || asked) && patched('sweeper-nudges-held-returns')) {
          await nudgeHeldReturns({ tenantId: input.tenantId });
        }
        asked = false;
        await sweep();
      }
    } catch (error) {
      // A failed pass leaves the cursors where they were: the next pass covers the same changes.
      const message = error instanceof Error ? error.message : String(error);
      log.warn('sweep pass failed', { tenantId: input.tenantId, error: message });
      state.lastPass = { ...emptyPass(), error: message };
    }
    setCurrentDetails(describe(state, intervalMs));
    state.busy = sweepNow;
    await condition(() => sweepNow, intervalMs);
    sweepNow = false;
    state.busy = true;
  }
  await continueAsNew<typeof tenantSweeperWorkflow>({
    version: 1,
    tenantId: input.tenantId,
    finaleCursor: state.finaleCursor,
    loopCursor: state.loopCursor,
    paused: state.paused,
  });

  async function sweep(): Promise<void> {
    const now = Date.now();
    const since = (cursor: string | undefined, maxMs: number) =>
      new Date(Math.max(cursor ? Date.parse(cursor) : now - FIRST_LOOKBACK_MS, now - maxMs)).toISOString();

    const finale = await sweepFinaleReturns({
      tenantId: input.tenantId,
      since: since(state.finaleCursor, MAX_FINALE_WINDOW_MS),
    });
    state.finaleCursor = new Date(Date.parse(finale.readAt) - OVERLAP_MS).toISOString();

    const loopUntil = now - MISSED_WEBHOOK_GRACE_MS;
    const loop = await sweepLoopReturns({
      tenantId: input.tenantId,
      from: since(state.loopCursor, MAX_FINALE_WINDOW_MS),
      to: new Date(loopUntil).toISOString(),
    });
    state.loopCursor = new Date(loopUntil - OVERLAP_MS).toISOString();

    state.passes += 1;
    state.lastPass = {
      at: new Date(now).toISOString(),
      finaleChanges: finale.changes,
      signalled: finale.signalled.length,
      loopReturnsSeen: loop.seen,
      workflowsStarted: loop.started.length,
    };
  }
}

function emptyPass(): SweepPass {
  return {
    at: new Date().toISOString(),
    finaleChanges: 0,
    signalled: 0,
    loopReturnsSeen: 0,
    workflowsStarted: 0,
  };
}

function describe(state: TenantSweeperState, intervalMs: number): string {
  if (state.paused)
    return `Tenant **${state.tenantId}** is paused; checking again in ${intervalMs / 60_000} min`;
  const last = state.lastPass;
  const summary = last
    ? last.error
      ? `last pass failed: ${last.error}`
      : `last pass: ${last.finaleChanges} Finale changes, ${last.signalled} returns signalled, ${last.workflowsStarted} missed returns started`
    : 'no pass yet';
  return `Sweeping **${state.tenantId}** every ${intervalMs / 60_000} min — ${summary}`;
}
