// Ctrl-C of `npm start` while 300 returns are open: the gateway stops taking work, the worker drains, and
// only then do the simulators and the Temporal server stop — within 10 s, printing no error line.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import { afterAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../temporal/binaries.ts';
import { stackLine } from '../support/busy-port.ts';
import { freePort } from '../support/free-port.ts';
import { processGroupMembers, spawnCommand } from '../support/processes.ts';

const OPEN_RETURNS = 300;
const SHUTDOWN_LIMIT_MS = 10_000;

/** A line that reports a problem: a pino line at warn level or above, or anything naming an error. */
const problemLine = (line: string) => /"level":(4|5|6)\d/.test(line) || /error|fail|panic/i.test(line);

describe('npm start shutdown with open returns', () => {
  let dataDir: string | undefined;
  afterAll(async () => {
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it(`stops in order within ${SHUTDOWN_LIMIT_MS / 1000} s on Ctrl-C with ${OPEN_RETURNS} open returns, printing no error`, async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'npm-start-stop-'));
    const ports = {
      gateway: await freePort(),
      loop: await freePort(),
    };
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATA_DIR: dataDir,
      TEMPORAL_ADDRESS: '',
      ADMIN_TOKEN: '',
      DATABASE_URL: '',
      DEMO_MODE: 'auto',
      TEMPORAL_DEV_PORT: String(await freePort()),
      TEMPORAL_UI_PORT: String(await freePort()),
      GATEWAY_PORT: String(ports.gateway),
      TEMPORAL_METRICS_ADDRESS: `127.0.0.1:${await freePort()}`,
      FINALE_SIM_PORT: String(await freePort()),
      LOOP_SIM_PORT: String(ports.loop),
    };
    delete env.LOG_LEVEL;

    const app = spawnCommand('npm', ['start'], env, projectRoot);
    const pgid = app.child.pid ?? 0;
    try {
      await app.waitForOutput(/Press Ctrl-C to stop\./, 90_000);

      // Customers submit returns in Loop; the simulator delivers each one's webhook to the gateway.
      const firstId = 500_000;
      for (let i = 0; i < OPEN_RETURNS; i++) {
        const response = await fetch(`http://127.0.0.1:${ports.loop}/__control/returns`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            id: firstId + i,
            orderName: '#1001',
            items: [{ sku: 'TEE-BLK-M', title: 'Classic Tee - M / Black', returnReason: 'Too small' }],
          }),
        });
        expect(response.status).toBe(201);
      }
      // Loop redelivers a webhook the gateway could not hand to Temporal in time, so every return gets its
      // workflow; most of them then have API calls waiting for the tenant's budget.
      const connection = await Connection.connect({ address: `127.0.0.1:${env.TEMPORAL_DEV_PORT}` });
      try {
        const client = new Client({ connection });
        const query = `WorkflowType = "returnWorkflow" AND ExecutionStatus = "Running"`;
        let open = 0;
        for (let i = 0; i < 900 && open < OPEN_RETURNS; i++) {
          open = (await client.workflow.count(query)).count;
          if (open < OPEN_RETURNS) await delay(200);
        }
        expect(open).toBe(OPEN_RETURNS);
      } finally {
        await connection.close();
      }
      const before = app.output().length;

      const stopAt = Date.now();
      await app.interrupt(60_000);
      const tookMs = Date.now() - stopAt;
      for (let i = 0; i < 50 && processGroupMembers(pgid).length > 0; i++) await delay(100);

      const printed = app.output().slice(before);
      process.stdout.write(`npm start stopped in ${tookMs} ms; it printed:\n${printed}\n`);
      expect(printed.split('\n').filter(problemLine)).toEqual([]);
      expect(printed).not.toMatch(stackLine);
      expect(tookMs).toBeLessThanOrEqual(SHUTDOWN_LIMIT_MS);
      expect(processGroupMembers(pgid)).toEqual([]);
      await expect(fetch(`http://127.0.0.1:${ports.gateway}/healthz`)).rejects.toThrow();
    } finally {
      if (processGroupMembers(pgid).length > 0) process.kill(-pgid, 'SIGKILL');
    }
  }, 240_000);
});
