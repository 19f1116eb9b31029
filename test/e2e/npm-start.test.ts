import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../temporal/binaries.ts';
import { freePort } from '../support/free-port.ts';
import { processGroupMembers, spawnCommand } from '../support/processes.ts';

describe('npm start (embedded default)', () => {
  let dataDir: string;
  afterAll(async () => {
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('brings up Temporal with its Web UI and the gateway, and Ctrl-C leaves no process behind', async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'npm-start-'));
    const [temporalPort, uiPort, gatewayPort] = [await freePort(), await freePort(), await freePort()];
    const env = {
      ...process.env,
      DATA_DIR: dataDir,
      TEMPORAL_ADDRESS: '',
      TEMPORAL_DEV_PORT: String(temporalPort),
      TEMPORAL_UI_PORT: String(uiPort),
      GATEWAY_PORT: String(gatewayPort),
      LOG_LEVEL: 'warn',
    };
    const run = spawnCommand('npm', ['start'], env, projectRoot);
    const pgid = run.child.pid ?? 0;
    try {
      await run.waitForOutput(/Ready\./, 90_000);
      const gatewayUrl = run.output().match(/Gateway:\s+(http:\/\/\S+)/)?.[1];
      const uiUrl = run.output().match(/Temporal Web UI:\s+(http:\/\/\S+)/)?.[1];
      expect(gatewayUrl).toBe(`http://127.0.0.1:${gatewayPort}`);
      expect(uiUrl).toBe(`http://127.0.0.1:${uiPort}`);

      const health = await fetch(`${gatewayUrl}/healthz`);
      expect(health.status).toBe(200);
      const ready = await fetch(`${gatewayUrl}/readyz`);
      expect(await ready.json()).toMatchObject({ status: 'ready', checks: { temporal: { ok: true } } });
      const ui = await fetch(`${uiUrl}/`);
      expect(ui.status).toBe(200);
      expect(processGroupMembers(pgid).length).toBeGreaterThan(1);
    } finally {
      await run.interrupt(30_000);
    }
    // Allow the last members of the group a moment to be reaped after the leader exits.
    for (let i = 0; i < 50 && processGroupMembers(pgid).length > 0; i++) await delay(100);
    expect(processGroupMembers(pgid)).toEqual([]);
    await expect(fetch(`http://127.0.0.1:${gatewayPort}/healthz`)).rejects.toThrow();
  });
});
