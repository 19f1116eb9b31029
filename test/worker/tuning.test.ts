import { describe, expect, it } from 'vitest';
import { ConfigError, parseEnv } from '../../config/env.ts';
import { defaultTuning, workerTuning } from '../../worker/tuning.ts';

describe('worker tuning', () => {
  it('defaults to a bounded workflow cache and modest concurrency', () => {
    expect(defaultTuning).toEqual({
      maxCachedWorkflows: 500,
      maxConcurrentActivities: 50,
      maxConcurrentWorkflowTasks: 20,
      shutdownGraceMs: 5_000,
    });
  });

  it('takes every figure from the settings', () => {
    const env = parseEnv({
      WORKER_MAX_CACHED_WORKFLOWS: '200',
      WORKER_MAX_CONCURRENT_ACTIVITIES: '8',
      WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '4',
      WORKER_SHUTDOWN_GRACE_MS: '1500',
    });
    expect(workerTuning(env)).toEqual({
      maxCachedWorkflows: 200,
      maxConcurrentActivities: 8,
      maxConcurrentWorkflowTasks: 4,
      shutdownGraceMs: 1_500,
    });
    expect(workerTuning(parseEnv({ WORKER_MAX_CACHED_WORKFLOWS: '0' })).maxCachedWorkflows).toBe(0);
  });

  it('refuses figures the SDK would silently change', () => {
    const problems = (() => {
      try {
        parseEnv({
          WORKER_MAX_CACHED_WORKFLOWS: '1',
          WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '1',
          WORKER_MAX_CONCURRENT_ACTIVITIES: '0',
        });
      } catch (error) {
        if (error instanceof ConfigError) return error.problems.join('\n');
        throw error;
      }
      return '';
    })();
    expect(problems).toMatch(/WORKER_MAX_CACHED_WORKFLOWS.*0 \(no cache\) or at least 2/);
    expect(problems).toMatch(/WORKER_MAX_CONCURRENT_WORKFLOW_TASKS/);
    expect(problems).toMatch(/WORKER_MAX_CONCURRENT_ACTIVITIES/);
  });
});
