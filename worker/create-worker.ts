import { fileURLToPath } from 'node:url';
import type { Client } from '@temporalio/client';
import { Worker, type NativeConnection } from '@temporalio/worker';
import { createAlertActivities } from '../activities/alert-activities.ts';
import { createReturnActivities } from '../activities/return-activities.ts';
import { createSweeperActivities } from '../activities/sweeper-activities.ts';
import { createTenantClients, type ApiEndpoints } from '../activities/tenant-clients.ts';
import type { Logger } from '../observability/logger.ts';
import type { TenantStore } from '../store/tenant-store.ts';

export const workflowsPath = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

export interface WorkerTuning {
  /** Activities (API calls) in flight at once; each tenant is further held to its APIs' limits. */
  maxConcurrentActivities: number;
  maxConcurrentWorkflowTasks: number;
  /** Workflows kept in memory between tasks; bounds the worker's memory. */
  maxCachedWorkflows: number;
  /** How long in-flight activities get to finish after SIGTERM before they are cancelled. */
  shutdownGraceTime: string;
}

export const defaultTuning: WorkerTuning = {
  maxConcurrentActivities: 50,
  maxConcurrentWorkflowTasks: 20,
  maxCachedWorkflows: 1_000,
  shutdownGraceTime: '20 seconds',
};

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
  /** A prebuilt workflow bundle (production); without it the workflows are bundled at start-up. */
  workflowBundlePath?: string;
  tuning?: Partial<WorkerTuning>;
}

/** The worker with every workflow and activity of the service registered. */
export async function createWorker(deps: WorkerDeps): Promise<Worker> {
  const tuning = { ...defaultTuning, ...deps.tuning };
  const clientsFor = createTenantClients(deps.store, deps.endpoints, deps.logger);
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
    maxConcurrentActivityTaskExecutions: tuning.maxConcurrentActivities,
    maxConcurrentWorkflowTaskExecutions: tuning.maxConcurrentWorkflowTasks,
    maxCachedWorkflows: tuning.maxCachedWorkflows,
    shutdownGraceTime: tuning.shutdownGraceTime,
  });
}
