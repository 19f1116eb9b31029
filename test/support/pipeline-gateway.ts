// The real gateway on a free local port in front of a test pipeline: onboarding validates against the
// pipeline's simulators, and starts and signals go to its worker's task queue.
import { parseEnv } from '../../config/env.ts';
import { startGateway } from '../../gateway/server.ts';
import { createLogger } from '../../observability/logger.ts';
import { freePort } from './free-port.ts';
import type { Pipeline } from './pipeline.ts';

export async function startPipelineGateway(pipeline: Pipeline, adminToken: string) {
  const port = await freePort();
  return startGateway({
    host: '127.0.0.1',
    port,
    logger: createLogger({ level: 'silent' }),
    env: parseEnv({
      LOG_LEVEL: 'silent',
      ADMIN_TOKEN: adminToken,
      PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
      FINALE_BASE_URL: pipeline.finale.url,
      LOOP_BASE_URL: pipeline.loop.apiBaseUrl,
      LOOP_API_VERSION: '2026-07',
    }),
    store: pipeline.store,
    temporal: { client: pipeline.client, taskQueue: pipeline.taskQueue },
  });
}
