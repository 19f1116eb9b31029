import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { projectRoot } from '../../temporal/binaries.ts';
import { occupyPort, runToExit, stackLine } from '../support/busy-port.ts';
import { freePort } from '../support/free-port.ts';
import { spawnCommand } from '../support/processes.ts';

describe('gateway/main.ts (the stand-alone gateway process)', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'gateway-main-'));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('serves until SIGTERM, then closes cleanly', async () => {
    const port = await freePort();
    const env = {
      ...process.env,
      DATA_DIR: dataDir,
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      PUBLIC_BASE_URL: 'https://gateway.example.test',
      GATEWAY_PORT: String(port),
      LOG_LEVEL: 'info',
    };
    const run = spawnCommand(process.execPath, ['--import', 'tsx', 'gateway/main.ts'], env, projectRoot);
    const exited = new Promise<number | null>((resolve) => run.child.once('exit', resolve));
    try {
      await run.waitForOutput(/gateway listening/, 60_000);
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
      expect(await ready.json()).toEqual({ status: 'ready' });
      expect((await fetch(`http://127.0.0.1:${port}/webhooks/loop/nobody`, { method: 'POST' })).status).toBe(
        401,
      );
    } finally {
      run.child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(run.output()).toContain('gateway stopped');
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
  });

  const gatewayMain = (env: NodeJS.ProcessEnv) =>
    runToExit(process.execPath, ['--import', 'tsx', 'gateway/main.ts'], {
      env,
      cwd: projectRoot,
      timeoutMs: 60_000,
    });

  it('names GATEWAY_PORT, without a stack trace, when another program holds the port', async () => {
    const busy = await occupyPort();
    try {
      const run = await gatewayMain({
        ...process.env,
        DATA_DIR: dataDir,
        TEMPORAL_ADDRESS: inject('temporalAddress'),
        PUBLIC_BASE_URL: 'https://gateway.example.test',
        GATEWAY_PORT: String(busy.port),
      });
      expect(run.code).toBe(1);
      expect(run.output).toContain(
        `127.0.0.1:${busy.port} (GATEWAY_PORT), for the gateway: in use by another program`,
      );
      expect(run.output).not.toMatch(stackLine);
    } finally {
      await busy.close();
    }
  });

  it('says so when another gateway of this service holds the port', async () => {
    const port = await freePort();
    const env = {
      ...process.env,
      DATA_DIR: dataDir,
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      PUBLIC_BASE_URL: 'https://gateway.example.test',
      GATEWAY_PORT: String(port),
    };
    const first = spawnCommand(process.execPath, ['--import', 'tsx', 'gateway/main.ts'], env, projectRoot);
    try {
      await first.waitForOutput(/gateway listening/, 60_000);
      const second = await gatewayMain(env);
      expect(second.code).toBe(1);
      expect(second.output).toContain(
        `127.0.0.1:${port} (GATEWAY_PORT), for the gateway: a loop-finale-bridge gateway answers there.`,
      );
      expect(second.output).toContain('Another instance of this service is running: stop it first');
      expect(second.output).not.toMatch(stackLine);
    } finally {
      first.child.kill('SIGTERM');
    }
  });

  it('refuses to start without TEMPORAL_ADDRESS', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'gateway/main.ts'], {
      cwd: projectRoot,
      env: { ...process.env, DATA_DIR: dataDir, TEMPORAL_ADDRESS: '' },
      encoding: 'utf8',
    });
    expect(run.status).toBe(1);
    expect(run.stdout + run.stderr).toContain('TEMPORAL_ADDRESS is required');
  });
});
