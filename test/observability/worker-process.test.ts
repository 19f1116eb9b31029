// The stand-alone worker (npm run worker, the container's `worker` command) serves both Prometheus
// endpoints: the Temporal SDK's and the application's, and logs one JSON line per event.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { projectRoot } from '../../temporal/binaries.ts';
import { freePort } from '../support/free-port.ts';
import { spawnCommand } from '../support/processes.ts';
import { uniqueTaskQueue } from '../support/temporal.ts';

describe('stand-alone worker process', () => {
  let dataDir: string;
  afterAll(async () => {
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('serves SDK and application metrics, and stops on SIGTERM', async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'worker-'));
    const [sdkPort, appPort] = [await freePort(), await freePort()];
    const worker = spawnCommand(
      process.execPath,
      ['--import', 'tsx', 'worker/main.ts'],
      {
        ...process.env,
        DATA_DIR: dataDir,
        DATABASE_URL: '',
        TEMPORAL_ADDRESS: inject('temporalAddress'),
        TEMPORAL_TASK_QUEUE: uniqueTaskQueue('worker-process'),
        TEMPORAL_METRICS_ADDRESS: `127.0.0.1:${sdkPort}`,
        WORKER_METRICS_ADDRESS: `127.0.0.1:${appPort}`,
        OTEL_EXPORTER_OTLP_ENDPOINT: '',
        LOG_LEVEL: 'info',
      },
      projectRoot,
    );
    try {
      await worker.waitForOutput(/"msg":"worker running"/, 60_000);
      const running = worker
        .output()
        .split('\n')
        .map((l) => (l.startsWith('{') ? (JSON.parse(l) as Record<string, unknown>) : undefined))
        .find((l) => l?.msg === 'worker running');
      expect(running).toMatchObject({
        sdkMetrics: `http://127.0.0.1:${sdkPort}/metrics`,
        appMetrics: `http://127.0.0.1:${appPort}/metrics`,
      });

      // The SDK exports once its pollers ran; give it a moment.
      let sdk = '';
      for (let i = 0; i < 50 && !/^temporal_/m.test(sdk); i++) {
        sdk = await (await fetch(`http://127.0.0.1:${sdkPort}/metrics`)).text();
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(sdk).toMatch(/^temporal_\w+\{.*task_queue="worker-process-/m);

      const app = await fetch(`http://127.0.0.1:${appPort}/metrics`);
      expect(app.headers.get('content-type')).toMatch(/^text\/plain/);
      const body = await app.text();
      expect(body).toContain('# TYPE loop_finale_activity_attempts_total counter');
      expect(body).toContain('# TYPE loop_finale_returns_finished_total counter');
      expect(body).toContain('process_cpu_user_seconds_total');
      expect((await fetch(`http://127.0.0.1:${appPort}/other`)).status).toBe(404);
    } finally {
      if (worker.child.pid) process.kill(worker.child.pid, 'SIGTERM');
    }
    await worker.waitForOutput(/"msg":"worker stopped"/, 30_000);
  });
});
