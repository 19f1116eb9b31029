// The stand-alone worker refuses to start when one of its metrics ports is taken, before the Temporal
// runtime's exporter would die on it with a native stack trace: it names the port and its setting, says
// whether another worker of this service holds it, and exits 1.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { projectRoot } from '../../temporal/binaries.ts';
import { occupyPort, runToExit, stackLine } from '../support/busy-port.ts';
import { freePort } from '../support/free-port.ts';
import { spawnCommand } from '../support/processes.ts';
import { uniqueTaskQueue } from '../support/temporal.ts';

describe('worker/main.ts with a metrics port taken', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'worker-main-'));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  const workerEnv = (sdkPort: number, appPort: number): NodeJS.ProcessEnv => ({
    ...process.env,
    DATA_DIR: dataDir,
    DATABASE_URL: '',
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_TASK_QUEUE: uniqueTaskQueue('worker-main'),
    TEMPORAL_METRICS_ADDRESS: `127.0.0.1:${sdkPort}`,
    WORKER_METRICS_ADDRESS: `127.0.0.1:${appPort}`,
    OTEL_EXPORTER_OTLP_ENDPOINT: '',
  });
  const workerMain = (env: NodeJS.ProcessEnv) =>
    runToExit(process.execPath, ['--import', 'tsx', 'worker/main.ts'], {
      env,
      cwd: projectRoot,
      timeoutMs: 60_000,
    });

  for (const setting of ['TEMPORAL_METRICS_ADDRESS', 'WORKER_METRICS_ADDRESS'] as const) {
    it(`names ${setting} when another program holds its port`, async () => {
      const busy = await occupyPort();
      try {
        const free = await freePort();
        const sdkPort = setting === 'TEMPORAL_METRICS_ADDRESS' ? busy.port : free;
        const appPort = setting === 'WORKER_METRICS_ADDRESS' ? busy.port : free;
        const run = await workerMain(workerEnv(sdkPort, appPort));
        expect(run.code).toBe(1);
        expect(run.output).toContain(`127.0.0.1:${busy.port} (${setting}), for the `);
        expect(run.output).toContain('in use by another program');
        expect(run.output).not.toContain('Failed to start prometheus metrics exporter');
        expect(run.output).not.toMatch(stackLine);
      } finally {
        await busy.close();
      }
    });
  }

  // Its own waits add up to more than the default test timeout: bundling the workflows is slow on a busy machine.
  it('says so when another worker of this service holds both ports', async () => {
    const env = workerEnv(await freePort(), await freePort());
    const first = spawnCommand(process.execPath, ['--import', 'tsx', 'worker/main.ts'], env, projectRoot);
    try {
      await first.waitForOutput(/"msg":"worker running"/, 90_000);
      const second = await workerMain(env);
      expect(second.code).toBe(1);
      expect(second.output).toContain(
        `${env.WORKER_METRICS_ADDRESS} (WORKER_METRICS_ADDRESS), for the worker’s metrics endpoint: ` +
          'another worker of this service serves its metrics there',
      );
      expect(second.output).toContain(`${env.TEMPORAL_METRICS_ADDRESS} (TEMPORAL_METRICS_ADDRESS)`);
      expect(second.output).toContain('Another instance of this service is running: stop it first');
      expect(second.output).not.toMatch(stackLine);
    } finally {
      if (first.child.pid) process.kill(first.child.pid, 'SIGTERM');
    }
    await first.waitForOutput(/"msg":"worker stopped"/, 30_000);
  }, 180_000);
});
