// How much a worker process takes on at once and keeps in memory, from the settings (config/env.ts).
import { parseEnv, type Env } from '../config/env.ts';

export interface WorkerTuning {
  /** Activities (API calls) in flight at once; each tenant is further held to its APIs' budgets. */
  maxConcurrentActivities: number;
  maxConcurrentWorkflowTasks: number;
  /**
   * Workflows kept in memory between tasks. Bounds the worker's memory: a return waiting days for the
   * warehouse need not stay cached, it is replayed from its short history when it wakes.
   */
  maxCachedWorkflows: number;
  /** How long running activities get to finish after shutdown begins before they are cancelled. */
  shutdownGraceMs: number;
}

export function workerTuning(env: Env): WorkerTuning {
  return {
    maxConcurrentActivities: env.WORKER_MAX_CONCURRENT_ACTIVITIES,
    maxConcurrentWorkflowTasks: env.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
    maxCachedWorkflows: env.WORKER_MAX_CACHED_WORKFLOWS,
    shutdownGraceMs: env.WORKER_SHUTDOWN_GRACE_MS,
  };
}

/** The settings' defaults. */
export const defaultTuning: WorkerTuning = workerTuning(parseEnv({}));
