import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DeterminismViolationError } from '@temporalio/workflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportHistory, replayHistoryFile } from '../../temporal/histories.ts';
import { connectToDevServer, createTestWorker, createTimeSkippingEnv } from '../support/temporal.ts';
import { greetTwice, waitThreeDays } from './workflows/harness.ts';

const workflowsPath = fileURLToPath(new URL('./workflows/harness.ts', import.meta.url));
const nondeterministicPath = fileURLToPath(
  new URL('./workflows/harness-nondeterministic.ts', import.meta.url),
);
const activities = { greet: async (name: string) => `Hello, ${name}` };

describe('time-skipping test server', () => {
  it('finishes a 3-day timer in seconds of wall time', async () => {
    const env = await createTimeSkippingEnv();
    try {
      const { worker, taskQueue } = await createTestWorker(env.nativeConnection, {
        workflowsPath,
        activities,
      });
      const startedWall = Date.now();
      const startedVirtual = await env.currentTimeMs();
      const result = await worker.runUntil(
        env.client.workflow.execute(waitThreeDays, { taskQueue, workflowId: `wait-${taskQueue}` }),
      );
      expect(result).toBe('awake');
      expect((await env.currentTimeMs()) - startedVirtual).toBeGreaterThanOrEqual(3 * 24 * 3600 * 1000);
      expect(Date.now() - startedWall).toBeLessThan(30_000);
    } finally {
      await env.teardown();
    }
  });
});

describe('replay of a history exported from the dev server', () => {
  let historyFile: string;
  let workflowId: string;

  beforeAll(async () => {
    const dev = await connectToDevServer();
    try {
      const { worker, taskQueue } = await createTestWorker(dev.nativeConnection, {
        workflowsPath,
        activities,
      });
      workflowId = `greet-${taskQueue}`;
      const result = await worker.runUntil(
        dev.client.workflow.execute(greetTwice, { taskQueue, workflowId, args: ['Ada'] }),
      );
      expect(result).toEqual(['Hello, Ada', 'Hello, Ada again']);
      historyFile = path.join(await mkdtemp(path.join(os.tmpdir(), 'history-')), 'greet-twice.json');
      await exportHistory(dev.client, workflowId, historyFile);
    } finally {
      await dev.close();
    }
  });

  afterAll(() => undefined);

  it('exports the history as JSON with its events', async () => {
    const json = JSON.parse(await readFile(historyFile, 'utf8')) as { events: { eventType: string }[] };
    const types = json.events.map((e) => e.eventType);
    expect(types[0]).toMatch(/WORKFLOW_EXECUTION_STARTED/);
    expect(types.filter((t) => /ACTIVITY_TASK_COMPLETED/.test(t))).toHaveLength(2);
  });

  it('replays cleanly against the same workflow code', async () => {
    await expect(replayHistoryFile(workflowsPath, historyFile, workflowId)).resolves.toBeUndefined();
  });

  it('catches a non-deterministic change to the workflow', async () => {
    await expect(replayHistoryFile(nondeterministicPath, historyFile, workflowId)).rejects.toBeInstanceOf(
      DeterminismViolationError,
    );
  });
});
