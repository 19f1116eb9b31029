// Stopping `npm start` while 300 returns are open: Ctrl-C in a terminal (SIGINT to the whole foreground
// process group) and a plain `kill` (SIGTERM to npm alone). Either way the gateway stops taking work first,
// the worker drains, and only then do the simulators and the Temporal server stop — within 10 s, printing no
// error line, leaving no process or port behind.
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import pLimit from 'p-limit';
import { afterAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../temporal/binaries.ts';
import { stackLine } from '../support/busy-port.ts';
import { freePort } from '../support/free-port.ts';
import { processGroupMembers, spawnCommand } from '../support/processes.ts';

const OPEN_RETURNS = 300;
const SHUTDOWN_LIMIT_MS = 10_000;

/** A line that reports a problem: a pino line at warn level or above, or anything naming an error. */
const problemLine = (line: string) => /"level":(4|5|6)\d/.test(line) || /error|fail|panic/i.test(line);

/** Whether anything still accepts connections on the port. */
const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

const stopSteps = [
  'stopping the gateway',
  'draining the worker',
  'stopping the simulators',
  'stopping the Temporal dev server',
];

describe('npm start shutdown with open returns', () => {
  const dataDirs: string[] = [];
  afterAll(async () => {
    await Promise.all(dataDirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it.each([
    { how: 'Ctrl-C (SIGINT to its process group)', signal: 'SIGINT', group: true },
    { how: 'kill (SIGTERM to npm alone)', signal: 'SIGTERM', group: false },
  ] as const)(
    `stops in order within ${SHUTDOWN_LIMIT_MS / 1000} s on $how with ${OPEN_RETURNS} open returns, printing no error`,
    async ({ signal, group }) => {
      const dataDir = await mkdtemp(path.join(os.tmpdir(), 'npm-start-stop-'));
      dataDirs.push(dataDir);
      const ports = {
        gateway: await freePort(),
        loop: await freePort(),
        finale: await freePort(),
        temporal: await freePort(),
        ui: await freePort(),
      };
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        DATA_DIR: dataDir,
        TEMPORAL_ADDRESS: '',
        ADMIN_TOKEN: '',
        DATABASE_URL: '',
        DEMO_MODE: 'auto',
        TEMPORAL_DEV_PORT: String(ports.temporal),
        TEMPORAL_UI_PORT: String(ports.ui),
        GATEWAY_PORT: String(ports.gateway),
        TEMPORAL_METRICS_ADDRESS: `127.0.0.1:${await freePort()}`,
        FINALE_SIM_PORT: String(ports.finale),
        LOOP_SIM_PORT: String(ports.loop),
      };
      delete env.LOG_LEVEL;

      const app = spawnCommand('npm', ['start'], env, projectRoot);
      const pgid = app.child.pid ?? 0;
      try {
        await app.waitForOutput(/Press Ctrl-C to stop\./, 90_000);

        // Customers submit returns in Loop; the simulator delivers each one's webhook to the gateway.
        const submit = pLimit(10);
        const statuses = await Promise.all(
          Array.from({ length: OPEN_RETURNS }, (_, i) =>
            submit(async () => {
              const response = await fetch(`http://127.0.0.1:${ports.loop}/__control/returns`, {
                method: 'POST',
                headers: { 'content-type': 'application/json' },
                body: JSON.stringify({
                  id: 500_000 + i,
                  orderName: '#1001',
                  items: [{ sku: 'TEE-BLK-M', title: 'Classic Tee - M / Black', returnReason: 'Too small' }],
                }),
              });
              return response.status;
            }),
          ),
        );
        expect(new Set(statuses)).toEqual(new Set([201]));
        // Every return gets its workflow; most of them then have API calls waiting for the tenant's budget.
        const connection = await Connection.connect({ address: `127.0.0.1:${ports.temporal}` });
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
        if (group) process.kill(-pgid, signal);
        else app.child.kill(signal);
        await Promise.race([
          new Promise((resolve) => app.child.once('exit', resolve)),
          delay(60_000).then(() => Promise.reject(new Error('npm start did not exit'))),
        ]);
        const tookMs = Date.now() - stopAt;
        for (let i = 0; i < 50 && processGroupMembers(pgid).length > 0; i++) await delay(100);

        const printed = app.output().slice(before);
        process.stdout.write(`npm start (${signal}) stopped in ${tookMs} ms; it printed:\n${printed}\n`);
        expect(printed.split('\n').filter(problemLine)).toEqual([]);
        expect(printed).not.toMatch(stackLine);
        const steps = printed
          .split('\n')
          .map((line) => line.replace(/^\s*… /, ''))
          .filter((line) => stopSteps.includes(line));
        expect(steps).toEqual(stopSteps);
        expect(tookMs).toBeLessThanOrEqual(SHUTDOWN_LIMIT_MS);
        expect(processGroupMembers(pgid)).toEqual([]);
        // The Temporal dev server runs in a process group of its own: its ports say it is gone too.
        for (const port of Object.values(ports)) expect(await listening(port)).toBe(false);
      } finally {
        if (processGroupMembers(pgid).length > 0) process.kill(-pgid, 'SIGKILL');
      }
    },
    240_000,
  );
});
