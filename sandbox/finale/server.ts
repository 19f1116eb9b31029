import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import { registerFinaleApi } from './api-routes.ts';
import { registerControlRoutes } from './control-routes.ts';
import type { SimulatorConfig } from './seed-schemas.ts';
import { DEFAULT_CONFIG, FinaleSimulatorState } from './state.ts';

export interface FinaleSimulatorOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  logger?: boolean;
  duplicateReturnIds?: SimulatorConfig['duplicateReturnIds'];
}

export interface FinaleSimulator {
  /** Origin to give a FinaleClient as `baseUrl`, e.g. `http://127.0.0.1:4010`. */
  url: string;
  state: FinaleSimulatorState;
  close(): Promise<void>;
}

/** A Finale Inventory API over real HTTP, with in-memory accounts and test controls under `/__control/`. */
export async function startFinaleSimulator(options: FinaleSimulatorOptions = {}): Promise<FinaleSimulator> {
  const state = new FinaleSimulatorState({
    duplicateReturnIds: options.duplicateReturnIds ?? DEFAULT_CONFIG.duplicateReturnIds,
  });
  const app = Fastify({ logger: options.logger ?? false });
  registerFinaleApi(app, state);
  registerControlRoutes(app, state);
  app.setNotFoundHandler(async (request, reply) => {
    if (!request.url.startsWith('/__control/')) state.calls.record(`${request.method} (unknown route)`);
    return reply.code(404).type('text/plain; charset=utf-8').send('Not found');
  });

  const host = options.host ?? '127.0.0.1';
  await app.listen({ port: options.port ?? 0, host });
  const { port } = app.server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    state,
    close: () => app.close(),
  };
}
