import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { registerLoopApi, sendJson } from './api-routes.ts';
import type { SettingsPatch } from './control-schemas.ts';
import { registerControlRoutes } from './control-routes.ts';
import { SimulatorControls } from './controls.ts';

export interface LoopSimulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** Fastify request logging. */
  logger?: boolean;
  /** Starting settings, restored by `reset()`; e.g. fast webhook retries for tests. */
  settings?: SettingsPatch;
}

/** A running Loop API simulator: the in-process controls plus its address. */
export class LoopSimulator extends SimulatorControls {
  private readonly app: FastifyInstance;
  private address = '';

  private constructor(options: LoopSimulatorOptions) {
    super(options.settings);
    this.app = Fastify({ logger: options.logger ?? false, forceCloseConnections: true });
    configureHttp(this.app, this);
    registerLoopApi(this.app, this);
    registerControlRoutes(this.app, this);
  }

  /** e.g. `http://127.0.0.1:4020` */
  get url(): string {
    return this.address;
  }

  /** What `LoopClient` takes as `baseUrl` (the version is appended by the client). */
  get apiBaseUrl(): string {
    return `${this.url}/api`;
  }

  static async start(options: LoopSimulatorOptions = {}): Promise<LoopSimulator> {
    const sim = new LoopSimulator(options);
    sim.address = await sim.app.listen({ port: options.port ?? 0, host: options.host ?? '127.0.0.1' });
    return sim;
  }

  /** Stops pending webhook deliveries and the server. */
  async close(): Promise<void> {
    await this.dispatcher.cancelAll();
    await this.app.close();
  }
}

export const startLoopSimulator = (options?: LoopSimulatorOptions) => LoopSimulator.start(options);

function configureHttp(app: FastifyInstance, sim: SimulatorControls): void {
  // Action endpoints take no body, but clients may still send a JSON content type; Loop tolerates that.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      done(Object.assign(new Error('Malformed JSON body.'), { statusCode: 400 }), undefined);
    }
  });
  app.setNotFoundHandler(async (request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    // A call to a path Loop does not have is still a call: count it under its literal path.
    const api = /^\/api\/([^/]+)(\/.*)$/.exec(path);
    if (api) sim.callLog.record(`${request.method} ${api[2]}`, api[1]!);
    return sendJson(reply, 404, { message: `No route for ${request.method} ${path}.` });
  });
  app.setErrorHandler(async (error: FastifyError, _request, reply) => {
    const status = error.statusCode ?? 500;
    return sendJson(reply, status, { message: status >= 500 ? 'Server Error' : error.message });
  });
}
