// A running service for CLI tests: the pipeline (both simulators, an in-memory store with the demo world under a tenant ID of its own,
// a worker on the test dev server) behind the real gateway on a local port, and the CLI run in-process.
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import { parseEnv } from '../../config/env.ts';
import { runCli } from '../../cli/program.ts';
import { startGateway } from '../../gateway/server.ts';
import { createLogger } from '../../observability/logger.ts';
import { freePort } from '../support/free-port.ts';
import { startPipeline, type PipelineOptions } from '../support/pipeline.ts';
import { connectToDevServer } from '../support/temporal.ts';

export const adminToken = 'cli-test-admin-token-0123456789';

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

/**
 * `tenantId` keeps this file's workflow IDs apart from other test files' on the shared dev server (the
 * Loop simulator numbers returns the same way in every test).
 */
export async function startCliWorld(tenantId: string, settings: PipelineOptions['settings'] = {}) {
  const dev = await connectToDevServer();
  const pipeline = await startPipeline({
    client: dev.client,
    nativeConnection: dev.nativeConnection,
    settings: { ...settings, tenantId },
  });
  const port = await freePort();
  const gateway = await startGateway({
    host: '127.0.0.1',
    port,
    logger: createLogger({ level: 'silent' }),
    env: parseEnv({
      LOG_LEVEL: 'silent',
      ADMIN_TOKEN: adminToken,
      PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
    }),
    store: pipeline.store,
    temporal: { client: dev.client, taskQueue: pipeline.taskQueue },
  });
  // Where `npm start` would keep the admin token: the CLI falls back to it when ADMIN_TOKEN is unset.
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'cli-data-'));
  await writeFile(path.join(dataDir, 'admin-token'), `${adminToken}\n`, { mode: 0o600 });
  const baseEnv = {
    PATH: process.env.PATH,
    GATEWAY_URL: gateway.url,
    DATA_DIR: dataDir,
    TEMPORAL_ADDRESS: inject('temporalAddress'),
  };

  return {
    pipeline,
    gatewayUrl: gateway.url,
    dataDir,
    async cli(args: string[], env: Record<string, string | undefined> = {}): Promise<CliRun> {
      let out = '';
      let err = '';
      const code = await runCli(
        args,
        { out: (text) => (out += text), err: (text) => (err += text) },
        { ...baseEnv, ...env },
      );
      return { code, out, err };
    },
    async close() {
      await gateway.server.close();
      await pipeline.close();
      await dev.close();
    },
  };
}
