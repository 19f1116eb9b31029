import type { Client } from '@temporalio/client';
import {
  Worker,
  type ActivityInterceptorsFactory,
  type InjectedSinks,
  type NativeConnection,
  type WorkerOptions,
} from '@temporalio/worker';
import { createAlertActivities } from '../activities/alert-activities.ts';
import { createReturnActivities } from '../activities/return-activities.ts';
import { createSweeperActivities } from '../activities/sweeper-activities.ts';
import { createTenantClients, type ApiEndpoints } from '../activities/tenant-clients.ts';
import { defaultApiSettings, type ApiSettings } from '../config/api-settings.ts';
import { ApiBudgets } from '../integrations/rate-limiter.ts';
import { exportBudgetRules } from '../observability/api-metrics.ts';
import { observabilityActivityInterceptor } from '../observability/activity-interceptor.ts';
import type { AppSinks } from '../observability/app-sinks.ts';
import { returnDrain, returnsFinished } from '../observability/app-metrics.ts';
import type { Logger } from '../observability/logger.ts';
import type { Tracing } from '../observability/tracing.ts';
import type { TenantStore } from '../store/tenant-store.ts';
import { workflowInterceptorModules, workflowsPath } from '../temporal/workflow-modules.ts';
import { defaultTuning, type WorkerTuning } from './tuning.ts';

export interface WorkerDeps {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  /** For the sweeper, which starts and signals return workflows. */
  client: Client;
  store: TenantStore;
  endpoints: ApiEndpoints;
  logger?: Logger;
  alerts?: { webhookUrl?: string; webUiUrl?: string };
  /** API budgets and upstream bounds (`apiSettingsFromEnv`); default: the published limits. */
  api?: Partial<ApiSettings>;
  /** A prebuilt workflow bundle (production); without it the workflows are bundled at start-up. */
  workflowBundlePath?: string;
  tuning?: Partial<WorkerTuning>;
  /** OpenTelemetry tracing, when configured (observability/tracing.ts). */
  tracing?: Tracing;
  /** Benchmarks only: count activity attempts, or run returns as an earlier release did (patches refused). */
  measure?: {
    activityInterceptors?: ActivityInterceptorsFactory[];
    patchActivationCallback?: WorkerOptions['patchActivationCallback'];
  };
}

/**
 * Runs already counted, per event. A completed workflow is replayed to answer a query (the CLI and the
 * admin API ask for a finished return's state), and that replay can reach the completion again: count each
 * run once.
 */
function oncePerRun(): (runId: string) => boolean {
  const counted = new Set<string>();
  const LIMIT = 10_000;
  return (runId) => {
    if (counted.has(runId)) return false;
    if (counted.size >= LIMIT) counted.clear();
    counted.add(runId);
    return true;
  };
}
const firstFinish = oncePerRun();
const firstDrain = oncePerRun();

const appSinks: InjectedSinks<AppSinks> = {
  appMetrics: {
    returnFinished: {
      fn: (info, outcome) => {
        if (firstFinish(info.runId)) returnsFinished.inc({ outcome });
      },
      callDuringReplay: false,
    },
    returnDrained: {
      fn: (info, seconds) => {
        if (firstDrain(info.runId)) returnDrain.observe(seconds);
      },
      callDuringReplay: false,
    },
  },
};

const SHUTDOWN_FORCE_MARGIN_MS = 3_000;

/** The worker with every workflow and activity of the service registered. */
export async function createWorker(deps: WorkerDeps): Promise<Worker> {
  const tuning = { ...defaultTuning, ...deps.tuning };
  const api = { ...defaultApiSettings, ...deps.api };
  // The buckets live in the tenant store, so every worker process and machine spends one budget per credential.
  const budgets = new ApiBudgets({
    buckets: deps.store.apiBudgets,
    rules: api.budgets,
    maxWaitMs: api.budgetMaxWaitMs,
    maxConcurrent: api.maxConcurrent,
  });
  exportBudgetRules(budgets.rules);
  const clientsFor = createTenantClients(deps.store, deps.endpoints, deps.logger, {
    budgets,
    bounds: api.bounds,
    loopListMaxPages: api.loopListMaxPages,
  });
  const activities = {
    ...createReturnActivities({ store: deps.store, clientsFor }),
    ...createSweeperActivities({ clientsFor, temporal: deps.client, taskQueue: deps.taskQueue }),
    ...createAlertActivities({
      ...deps.alerts,
      namespace: deps.namespace,
      log: (message) => deps.logger?.warn(message),
    }),
  };
  return Worker.create({
    connection: deps.connection,
    namespace: deps.namespace,
    taskQueue: deps.taskQueue,
    activities,
    ...(deps.workflowBundlePath
      ? { workflowBundle: { codePath: deps.workflowBundlePath } }
      : { workflowsPath }),
    interceptors: {
      activity: [
        ...(deps.tracing?.activityInterceptors ?? []),
        observabilityActivityInterceptor,
        ...(deps.measure?.activityInterceptors ?? []),
      ],
      // A prebuilt bundle already contains the workflow interceptors it was built with.
      workflowModules: deps.workflowBundlePath
        ? []
        : [...workflowInterceptorModules, ...(deps.tracing?.workflowModules ?? [])],
    },
    sinks: { ...appSinks, ...deps.tracing?.sinks },
    patchActivationCallback: deps.measure?.patchActivationCallback,
    maxConcurrentActivityTaskExecutions: tuning.maxConcurrentActivities,
    maxConcurrentWorkflowTaskExecutions: tuning.maxConcurrentWorkflowTasks,
    maxCachedWorkflows: tuning.maxCachedWorkflows,
    shutdownGraceTime: tuning.shutdownGraceMs,
    // Cancelled activities get a moment to stop; one that ignores its cancellation must not hold the
    // process: the worker gives up on it, and Temporal retries it once its timeout passes.
    shutdownForceTime: tuning.shutdownGraceMs + SHUTDOWN_FORCE_MARGIN_MS,
  });
}
