// Memory figure of `npm run bench`: the embedded default's process (scripts/start.ts as `npm start` runs it,
// in demo mode, on a fresh data folder) idle, then with open returns waiting for the warehouse. The Temporal
// dev server is a process of its own, measured beside it.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { demoFinaleAccount, demoTenantSettings } from '../sandbox/demo-world.ts';
import { projectRoot } from '../temporal/binaries.ts';
import { freePort } from '../test/support/free-port.ts';
import { finaleReturnIdOf, startWaitingReturns, waitingReturnItems } from './open-returns.ts';
import { nodeArgsOfScript, peakRssMiB, rssMiB, until } from './process-memory.ts';

export interface EmbeddedMemoryFigures {
  idleMiB: number;
  openMiB: number;
  peakMiB: number;
  openReturns: number;
  temporalServerMiB: number;
}

const SETTLE_MS = 15_000;

/** The Temporal CLI dev server npm start runs as its child. */
function devServerPid(parent: number): number | undefined {
  const out = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(parent)], { encoding: 'utf8' });
  const line = out.split('\n').find((l) => l.includes('server start-dev'));
  return line ? Number(line.trim().split(/\s+/)[0]) : undefined;
}

export async function measureEmbeddedMemory(options: {
  openReturns: number;
  say: (line: string) => void;
}): Promise<EmbeddedMemoryFigures> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'bench-embedded-memory-'));
  const ports = {
    gateway: await freePort(),
    temporal: await freePort(),
    finale: await freePort(),
  };
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATA_DIR: dataDir,
    DEMO_MODE: 'auto',
    TEMPORAL_ADDRESS: '',
    DATABASE_URL: '',
    ADMIN_TOKEN: '',
    WORKFLOW_BUNDLE_PATH: '',
    OTEL_EXPORTER_OTLP_ENDPOINT: '',
    GATEWAY_PORT: String(ports.gateway),
    TEMPORAL_DEV_PORT: String(ports.temporal),
    TEMPORAL_UI_PORT: String(await freePort()),
    TEMPORAL_METRICS_ADDRESS: `127.0.0.1:${await freePort()}`,
    FINALE_SIM_PORT: String(ports.finale),
    LOOP_SIM_PORT: String(await freePort()),
  };
  delete env.LOG_LEVEL;
  // The process npm start runs, with its flags (npm and sh in front of it hold no memory worth counting).
  const app = spawn(process.execPath, nodeArgsOfScript(projectRoot, 'start'), {
    cwd: projectRoot,
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  app.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const pid = app.pid!;
  const exited = new Promise<void>((resolve) => app.once('exit', () => resolve()));
  const connection = await (async () => {
    await until('npm start to be ready', async () => output.includes('Press Ctrl-C to stop.'), 180_000);
    return Connection.connect({ address: `127.0.0.1:${ports.temporal}` });
  })();
  try {
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    const idleMiB = rssMiB(pid);

    options.say(`  starting ${options.openReturns} demo returns waiting for the warehouse …`);
    const finaleControl = `http://127.0.0.1:${ports.finale}/__control/accounts/${demoFinaleAccount.name}/returns`;
    await startWaitingReturns({
      client: new Client({ connection }),
      taskQueue: 'loop-finale',
      tenantId: demoTenantSettings.tenantId,
      loopReturnIds: Array.from({ length: options.openReturns }, (_, i) => String(70_000_000 + i)),
      // A Finale return in the simulator, still open, for each: the return's fallback checks find it so.
      finaleReturnUrl: async (loopReturnId) => {
        const response = await fetch(finaleControl, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            returnId: finaleReturnIdOf(loopReturnId),
            facilityName: demoTenantSettings.destinationFacilityName,
            items: waitingReturnItems,
          }),
        });
        if (response.status !== 201) throw new Error(`seeding a Finale return: HTTP ${response.status}`);
        return ((await response.json()) as { returnUrl: string }).returnUrl;
      },
      metricsUrl: `http://127.0.0.1:${ports.gateway}/metrics`,
    });
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    const devServer = devServerPid(pid);
    return {
      idleMiB,
      openMiB: rssMiB(pid),
      peakMiB: peakRssMiB(pid),
      openReturns: options.openReturns,
      temporalServerMiB: devServer ? rssMiB(devServer) : Number.NaN,
    };
  } finally {
    await connection.close();
    app.kill('SIGTERM');
    await exited;
    await rm(dataDir, { recursive: true, force: true });
  }
}
