// `npm start` refuses to start, before anything listens, when a port it needs is taken: it names each
// port with the setting that moves it and says who holds it, without a stack trace, and exits 1.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { projectRoot } from '../../temporal/binaries.ts';
import { occupyPort, runToExit, stackLine } from '../support/busy-port.ts';
import { freePort } from '../support/free-port.ts';

type Busy = Awaited<ReturnType<typeof occupyPort>>;

describe('npm start with a port taken', () => {
  let dataDir: string;
  const held: Busy[] = [];
  const busy = async () => {
    const port = await occupyPort();
    held.push(port);
    return port.port;
  };

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'npm-start-ports-'));
  });
  afterEach(async () => {
    await Promise.all(held.splice(0).map((port) => port.close()));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  /** Every port of a demo-mode start, free unless a test takes it. */
  async function settings(overrides: Record<string, string> = {}): Promise<NodeJS.ProcessEnv> {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATA_DIR: dataDir,
      TEMPORAL_ADDRESS: '',
      ADMIN_TOKEN: '',
      DATABASE_URL: '',
      DEMO_MODE: 'auto',
      GATEWAY_PORT: String(await freePort()),
      TEMPORAL_DEV_PORT: String(await freePort()),
      TEMPORAL_UI_PORT: String(await freePort()),
      TEMPORAL_METRICS_ADDRESS: `127.0.0.1:${await freePort()}`,
      FINALE_SIM_PORT: String(await freePort()),
      LOOP_SIM_PORT: String(await freePort()),
      ...overrides,
    };
    delete env.LOG_LEVEL;
    return env;
  }

  const npmStart = (env: NodeJS.ProcessEnv) =>
    runToExit('npm', ['start'], { env, cwd: projectRoot, timeoutMs: 90_000 });

  it('names every taken port with its setting: gateway, Temporal, Web UI, SDK metrics, simulators', async () => {
    const ports = {
      GATEWAY_PORT: await busy(),
      TEMPORAL_DEV_PORT: await busy(),
      TEMPORAL_UI_PORT: await busy(),
      TEMPORAL_METRICS_ADDRESS: await busy(),
      FINALE_SIM_PORT: await busy(),
      LOOP_SIM_PORT: await busy(),
    };
    const run = await npmStart(
      await settings({
        ...Object.fromEntries(Object.entries(ports).map(([name, port]) => [name, String(port)])),
        TEMPORAL_METRICS_ADDRESS: `127.0.0.1:${ports.TEMPORAL_METRICS_ADDRESS}`,
      }),
    );

    expect(run.code).toBe(1);
    expect(run.output).toContain('Start-up failed: 6 ports this service needs are taken:');
    for (const [setting, what] of [
      ['GATEWAY_PORT', 'the gateway'],
      ['TEMPORAL_DEV_PORT', 'the Temporal dev server'],
      ['TEMPORAL_UI_PORT', 'the Temporal Web UI'],
      ['TEMPORAL_METRICS_ADDRESS', 'the Temporal SDK metrics exporter'],
      ['FINALE_SIM_PORT', 'the Finale simulator (demo mode)'],
      ['LOOP_SIM_PORT', 'the Loop simulator (demo mode)'],
    ] as const) {
      expect(run.output).toContain(
        `127.0.0.1:${ports[setting]} (${setting}), for ${what}: in use by another program`,
      );
    }
    expect(run.output).toContain('Free them, or move this service with the settings named above.');
    expect(run.output).not.toMatch(stackLine);
    // Nothing was started, and the data folder is free again.
    expect(run.output).not.toContain('starting the Temporal dev server');
    expect(await readdir(dataDir)).not.toContain('npm-start.pid');
  });

  it('checks only the ports this start uses: no simulators with DEMO_MODE=off', async () => {
    const loop = await busy();
    const finale = await busy();
    const gateway = await busy();
    const run = await npmStart(
      await settings({
        DEMO_MODE: 'off',
        PUBLIC_BASE_URL: 'https://returns.example.com',
        LOOP_SIM_PORT: String(loop),
        FINALE_SIM_PORT: String(finale),
        GATEWAY_PORT: String(gateway),
      }),
    );
    expect(run.code).toBe(1);
    expect(run.output).toContain(
      'Start-up failed: A port this service needs is taken:\n' +
        `  - 127.0.0.1:${gateway} (GATEWAY_PORT), for the gateway: in use by another program`,
    );
    expect(run.output).toContain('Free it, or move this service with the setting named above.');
    expect(run.output).not.toMatch(/LOOP_SIM_PORT|FINALE_SIM_PORT/);
    expect(run.output).not.toMatch(stackLine);
  });

  it('refuses to start outside demo mode without PUBLIC_BASE_URL, before anything listens', async () => {
    const run = await npmStart(await settings({ DEMO_MODE: 'off', PUBLIC_BASE_URL: '' }));
    expect(run.code).toBe(1);
    expect(run.output).toContain('Start-up failed: Invalid configuration:');
    expect(run.output).toContain('PUBLIC_BASE_URL: required outside demo mode');
    expect(run.output).not.toMatch(stackLine);
    expect(run.output).not.toContain('starting the Temporal dev server');
  });

  it('offers the Temporal server that holds TEMPORAL_DEV_PORT', async () => {
    const temporal = inject('temporalAddress');
    const port = temporal.split(':').pop()!;
    const run = await npmStart(await settings({ TEMPORAL_DEV_PORT: port }));
    expect(run.code).toBe(1);
    expect(run.output).toContain(
      `127.0.0.1:${port} (TEMPORAL_DEV_PORT), for the Temporal dev server: a Temporal server answers there`,
    );
    expect(run.output).toContain(`set TEMPORAL_ADDRESS=127.0.0.1:${port}`);
    expect(run.output).not.toMatch(stackLine);
  });
});
