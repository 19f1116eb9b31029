// `npm start` as a newcomer runs it: a fresh data folder, the printed URLs, a demo return pushed through with
// the CLI until Loop holds its final state; a second start beside it that says what holds its data folder and
// ports; then a restart that keeps everything, and Ctrl-C that leaves no process behind.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../temporal/binaries.ts';
import type { ReturnState } from '../../workflows/messages.ts';
import { runToExit, stackLine } from '../support/busy-port.ts';
import { freePort } from '../support/free-port.ts';
import { processGroupMembers, spawnCommand, type SpawnedCommand } from '../support/processes.ts';

const run = promisify(execFile);

describe('npm start (embedded default, demo mode)', () => {
  let dataDir: string;
  afterAll(async () => {
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('runs the whole system, pushes a demo return through, keeps state across a restart, and stops cleanly', async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'npm-start-'));
    const ports = {
      temporal: await freePort(),
      ui: await freePort(),
      gateway: await freePort(),
      sdkMetrics: await freePort(),
      finale: await freePort(),
      loop: await freePort(),
    };
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATA_DIR: dataDir,
      TEMPORAL_ADDRESS: '',
      ADMIN_TOKEN: '',
      DATABASE_URL: '',
      TEMPORAL_DEV_PORT: String(ports.temporal),
      TEMPORAL_UI_PORT: String(ports.ui),
      GATEWAY_PORT: String(ports.gateway),
      TEMPORAL_METRICS_ADDRESS: `127.0.0.1:${ports.sdkMetrics}`,
      FINALE_SIM_PORT: String(ports.finale),
      LOOP_SIM_PORT: String(ports.loop),
    };
    delete env.LOG_LEVEL;
    const cli = (...args: string[]) =>
      run('npx', ['tsx', 'cli/main.ts', ...args], { cwd: projectRoot, env, timeout: 90_000 });

    /** Starts `npm start`, waits for its block, and returns the block's URLs. */
    async function start(): Promise<{ app: SpawnedCommand; pgid: number; block: string }> {
      const app = spawnCommand('npm', ['start'], env, projectRoot);
      await app.waitForOutput(/Press Ctrl-C to stop\./, 90_000);
      const block = app.output().slice(app.output().indexOf('Ready.'));
      return { app, pgid: app.child.pid ?? 0, block };
    }
    async function stop(app: SpawnedCommand, pgid: number) {
      await app.interrupt(30_000);
      for (let i = 0; i < 50 && processGroupMembers(pgid).length > 0; i++) await delay(100);
      expect(processGroupMembers(pgid)).toEqual([]);
      await expect(fetch(`http://127.0.0.1:${ports.gateway}/healthz`)).rejects.toThrow();
    }

    // First start: fresh data folder.
    const first = await start();
    let loopReturnId: string;
    let onboardingLink: string | undefined;
    try {
      expect(first.app.output()).toMatch(/… starting the Temporal dev server/);
      expect(first.block).toMatch(/demo mode/);
      const field = (name: string) => first.block.match(new RegExp(`${name}\\s+(\\S+)`))?.[1];
      expect(field('Gateway')).toBe(`http://127.0.0.1:${ports.gateway}`);
      expect(field('Temporal Web UI')).toBe(`http://127.0.0.1:${ports.ui}`);
      onboardingLink = field('Onboarding link');
      expect(onboardingLink).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${ports.gateway}/onboarding/\\S+`));
      expect(first.block).toContain(path.join(dataDir, 'admin-token'));
      expect(first.block).toContain('npm run cli -- demo');

      expect((await fetch(`http://127.0.0.1:${ports.gateway}/readyz`)).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${ports.ui}/`)).status).toBe(200);
      expect((await fetch(onboardingLink!)).status).toBe(200);
      expect((await stat(path.join(dataDir, 'admin-token'))).mode & 0o777).toBe(0o600);

      const demo = await cli('demo', '--timeout', '60');
      expect(demo.stdout).toMatch(/Customer submitted Loop return \d+/);
      expect(demo.stdout).toMatch(/entered awaiting-finale-completion/);
      expect(demo.stdout).toMatch(/the warehouse completes Finale return LOOP-\d+/);
      expect(demo.stdout).toMatch(/Outcome: processed\. Final state in Loop: closed/);
      loopReturnId = demo.stdout.match(/Customer submitted Loop return (\d+)/)![1]!;

      // The final state as the Loop simulator holds it.
      const loop = (await (
        await fetch(`http://127.0.0.1:${ports.loop}/__control/returns/${loopReturnId}`)
      ).json()) as { state: string };
      expect(loop.state).toBe('closed');

      const sdkMetrics = await (await fetch(`http://127.0.0.1:${ports.sdkMetrics}/metrics`)).text();
      expect(sdkMetrics).toMatch(/^temporal_\w+/m);
      // The outcome is counted as the workflow completes, a moment after the state the CLI saw.
      let ours: string[] = [];
      for (let i = 0; i < 50; i++) {
        const appMetrics = await (await fetch(`http://127.0.0.1:${ports.gateway}/metrics`)).text();
        ours = appMetrics.split('\n').filter((l) => l.startsWith('loop_finale_'));
        if (ours.some((l) => l.startsWith('loop_finale_returns_finished_total'))) break;
        await delay(100);
      }
      expect(ours).toContain('loop_finale_returns_finished_total{outcome="processed"} 1');
      expect(ours.join('\n')).toMatch(
        /loop_finale_activity_attempts_total\{activity_type="createReturnInFinale"/,
      );

      // A second npm start while this one runs: the same data folder is refused by its lock…
      const again = await runToExit('npm', ['start'], { env, cwd: projectRoot, timeoutMs: 60_000 });
      expect(again.code).toBe(1);
      expect(again.output).toMatch(/Another npm start \(pid \d+, gateway http:\/\/127\.0\.0\.1:\d+/);
      expect(again.output).toContain(`already running with the data folder ${dataDir}`);
      expect(again.output).not.toMatch(stackLine);
      // …and with a data folder of its own, it finds every port taken by this instance.
      const elsewhere = await mkdtemp(path.join(os.tmpdir(), 'npm-start-beside-'));
      try {
        const beside = await runToExit('npm', ['start'], {
          env: { ...env, DATA_DIR: elsewhere },
          cwd: projectRoot,
          timeoutMs: 60_000,
        });
        expect(beside.code).toBe(1);
        expect(beside.output).toContain('Start-up failed: 6 ports this service needs are taken:');
        expect(beside.output).toContain(
          `127.0.0.1:${ports.gateway} (GATEWAY_PORT), for the gateway: a loop-finale-bridge gateway answers there.`,
        );
        for (const setting of [
          'TEMPORAL_DEV_PORT',
          'TEMPORAL_UI_PORT',
          'TEMPORAL_METRICS_ADDRESS',
          'FINALE_SIM_PORT',
          'LOOP_SIM_PORT',
        ]) {
          expect(beside.output).toContain(` (${setting}), for the `);
        }
        expect(beside.output).toContain('Another instance of this service is running: stop it first');
        expect(beside.output).not.toContain('Failed to start prometheus metrics exporter');
        expect(beside.output).not.toMatch(stackLine);
      } finally {
        await rm(elsewhere, { recursive: true, force: true });
      }
      expect((await fetch(`http://127.0.0.1:${ports.gateway}/readyz`)).status).toBe(200);
    } finally {
      await stop(first.app, first.pgid);
    }

    // Second start, same data folder: the return, the tenant, the token and the link are all still there.
    const token = await readFile(path.join(dataDir, 'admin-token'), 'utf8');
    const second = await start();
    try {
      expect(second.block).toContain(onboardingLink);
      expect(second.block).toMatch(/same link as last start/);
      expect(await readFile(path.join(dataDir, 'admin-token'), 'utf8')).toBe(token);

      const shown = await cli('return', 'show', 'demo', loopReturnId, '--json');
      expect(JSON.parse(shown.stdout) as ReturnState).toMatchObject({ stage: 'done', outcome: 'processed' });
      const tenants = await cli('tenants', 'list');
      expect(tenants.stdout).toMatch(/demo\s+Demo Store\s+active/);
    } finally {
      await stop(second.app, second.pgid);
    }
  }, 240_000);
});
