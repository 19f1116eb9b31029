// The worker an entry point runs (worker/main.ts, and npm start's scripts/start.ts), configured from the
// environment: its task queue, API endpoints, budgets and bounds, tuning and alerts are read here only.
import type { Client } from '@temporalio/client';
import type { NativeConnection, Worker } from '@temporalio/worker';
import type { ApiEndpoints } from '../activities/tenant-clients.ts';
import { apiEndpoints } from '../config/api-endpoints.ts';
import { apiSettingsFromEnv } from '../config/api-settings.ts';
import type { Env } from '../config/env.ts';
import type { Logger } from '../observability/logger.ts';
import type { Tracing } from '../observability/tracing.ts';
import type { TenantStore } from '../store/tenant-store.ts';
import { createWorker } from './create-worker.ts';
import { workerTuning } from './tuning.ts';

export interface WorkerFromEnvDeps {
  nativeConnection: NativeConnection;
  client: Client;
  store: TenantStore;
  logger: Logger;
  tracing?: Tracing;
  /** npm start's demo mode: the simulators, where demo tenants' calls go. */
  simulators?: ApiEndpoints['demo'];
  /** The Web UI alerts link to where TEMPORAL_UI_URL names none (npm start's own dev server). */
  webUiUrl?: string;
  /** A workflow bundle built at start-up; default WORKFLOW_BUNDLE_PATH, else the worker bundles them. */
  workflowBundlePath?: string;
}

export function createWorkerFromEnv(env: Env, deps: WorkerFromEnvDeps): Promise<Worker> {
  return createWorker({
    connection: deps.nativeConnection,
    namespace: env.TEMPORAL_NAMESPACE,
    taskQueue: env.TEMPORAL_TASK_QUEUE,
    client: deps.client,
    store: deps.store,
    endpoints: apiEndpoints(env, deps.simulators),
    logger: deps.logger,
    alerts: { webhookUrl: env.ALERT_WEBHOOK_URL, webUiUrl: env.TEMPORAL_UI_URL ?? deps.webUiUrl },
    workflowBundlePath: deps.workflowBundlePath ?? env.WORKFLOW_BUNDLE_PATH,
    api: apiSettingsFromEnv(env),
    tuning: workerTuning(env),
    tracing: deps.tracing,
  });
}
