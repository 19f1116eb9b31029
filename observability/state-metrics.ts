// Metrics of the service's state rather than of its events: open returns by stage, parked returns by issue
// class and running tenant sweepers (counted in Temporal's visibility store), and tenants by status (the
// tenant store). Counted when scraped, at most once per refresh interval whoever scrapes, so any number of
// scrapers costs a dozen count queries a minute. Every worker process exports the same figures: dashboards
// and alert rules take their max.
import type { Client } from '@temporalio/client';
import { Gauge } from 'prom-client';
import type { TenantStore } from '../store/tenant-store.ts';
import type { IssueClass, ReturnStage } from '../workflows/messages.ts';
import type { Logger } from './logger.ts';
import { metricsRegistry } from './metrics.ts';

/** Stages a running return can be in (`done` and `cancelled` end the workflow: see returns_finished_total). */
export const openStages = [
  'received',
  'resolving',
  'creating-finale-return',
  'awaiting-finale-completion',
  'updating-loop',
  'needs-attention',
  'paused',
] as const satisfies readonly ReturnStage[];

const issueClasses = ['waiting', 'config', 'data'] as const satisfies readonly IssueClass[];

export interface ServiceState {
  openByStage: Record<(typeof openStages)[number], number>;
  /** `unclassified`: parked before returns recorded their class (the return-issue-class-attribute patch). */
  needsAttentionByClass: Record<IssueClass | 'unclassified', number>;
  sweepersRunning: number;
  tenants: { active: number; paused: number };
}

export interface StateSource {
  client: Client;
  store: TenantStore;
  logger?: Logger;
  /** Default 30 s. */
  refreshMs?: number;
}

const DEFAULT_REFRESH_MS = 30_000;
const COUNT_TIMEOUT_MS = 10_000;

// Only constants go into these queries: no tenant ID, stage or class from outside ever reaches them.
const runningReturns = `WorkflowType = "returnWorkflow" AND ExecutionStatus = "Running"`;
const stageQuery = (stage: string) => `${runningReturns} AND ReturnStage = "${stage}"`;
const classQuery = (issueClass: string) =>
  `${stageQuery('needs-attention')} AND ReturnIssueClass = "${issueClass}"`;
const sweepersQuery = `WorkflowType = "tenantSweeperWorkflow" AND ExecutionStatus = "Running"`;

/** Counts everything once, from Temporal's visibility store and the tenant store. */
export async function countServiceState(
  source: Pick<StateSource, 'client' | 'store'>,
): Promise<ServiceState> {
  const count = async (query: string) => (await source.client.workflow.count(query)).count;
  const [stageCounts, classCounts, sweepersRunning, tenants] = await Promise.all([
    Promise.all(openStages.map((stage) => count(stageQuery(stage)))),
    Promise.all(issueClasses.map((issueClass) => count(classQuery(issueClass)))),
    count(sweepersQuery),
    source.store.listTenants(),
  ]);
  const openByStage = Object.fromEntries(
    openStages.map((stage, i) => [stage, stageCounts[i]!]),
  ) as ServiceState['openByStage'];
  const classified = Object.fromEntries(issueClasses.map((c, i) => [c, classCounts[i]!])) as Record<
    IssueClass,
    number
  >;
  const classifiedTotal = classCounts.reduce((sum, n) => sum + n, 0);
  const paused = tenants.filter((tenant) => tenant.settings.paused).length;
  return {
    openByStage,
    needsAttentionByClass: {
      ...classified,
      unclassified: Math.max(0, openByStage['needs-attention'] - classifiedTotal),
    },
    sweepersRunning,
    tenants: { active: tenants.length - paused, paused },
  };
}

let source: StateSource | undefined;
let cached: { at: number; state: Promise<ServiceState | undefined> } | undefined;

/** The state as of at most one refresh interval ago; undefined (no series) when it cannot be counted. */
function currentState(): Promise<ServiceState | undefined> {
  const from = source;
  if (!from) return Promise.resolve(undefined);
  const refreshMs = from.refreshMs ?? DEFAULT_REFRESH_MS;
  if (cached && Date.now() - cached.at < refreshMs) return cached.state;
  const state = withTimeout(countServiceState(from), COUNT_TIMEOUT_MS).catch((error: unknown) => {
    from.logger?.warn({ err: error }, 'could not count returns and tenants for the state metrics');
    return undefined;
  });
  cached = { at: Date.now(), state };
  return state;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Counts the state for this process's metrics from now on (the worker calls it; the last caller wins).
 * Returns a function that stops it.
 */
export function exportServiceState(from: StateSource): () => void {
  source = from;
  cached = undefined;
  return () => {
    if (source !== from) return;
    source = undefined;
    cached = undefined;
  };
}

new Gauge({
  name: 'loop_finale_returns_open',
  help: 'Running return workflows by stage (ReturnStage as the return last settled), counted in Temporal visibility',
  labelNames: ['stage'] as const,
  registers: [metricsRegistry],
  async collect() {
    const state = await currentState();
    // Reset and set in one synchronous step, so a concurrent scrape never reads a half-set gauge.
    this.reset();
    if (!state) return;
    for (const stage of openStages) this.set({ stage }, state.openByStage[stage]);
  },
});

new Gauge({
  name: 'loop_finale_returns_needs_attention',
  help: 'Returns parked in needs-attention by issue class (waiting, config, data; unclassified: parked before classes were recorded)',
  labelNames: ['issue_class'] as const,
  registers: [metricsRegistry],
  async collect() {
    const state = await currentState();
    this.reset();
    if (!state) return;
    for (const [issueClass, n] of Object.entries(state.needsAttentionByClass)) {
      this.set({ issue_class: issueClass }, n);
    }
  },
});

new Gauge({
  name: 'loop_finale_tenant_sweepers',
  help: 'Tenant sweeper workflows by execution status (running: one per tenant, paused tenants included), counted in Temporal visibility',
  // A label even with one value: an unlabelled gauge always exports a number, and none is known when
  // Temporal cannot be asked.
  labelNames: ['status'] as const,
  registers: [metricsRegistry],
  async collect() {
    const state = await currentState();
    this.reset();
    if (state) this.set({ status: 'running' }, state.sweepersRunning);
  },
});

new Gauge({
  name: 'loop_finale_tenants',
  help: 'Tenants in the tenant store by status (active | paused)',
  labelNames: ['status'] as const,
  registers: [metricsRegistry],
  async collect() {
    const state = await currentState();
    this.reset();
    if (!state) return;
    this.set({ status: 'active' }, state.tenants.active);
    this.set({ status: 'paused' }, state.tenants.paused);
  },
});
