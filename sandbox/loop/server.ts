import type { FastifyError, FastifyInstance } from 'fastify';
import { startSimulator, type RunningSimulator, type SimulatorOptions } from '../shared/server.ts';
import { registerLoopApi, sendJson } from './api-routes.ts';
import type { SettingsPatch } from './control-schemas.ts';
import { registerLoopControls } from './control-routes.ts';
import { LoopSimulatorState } from './state.ts';

/** `apiBaseUrl` is `url + '/api'`, what a LoopClient takes as `baseUrl` (the client appends the version). */
export type LoopSimulator = RunningSimulator<LoopSimulatorState>;

/** The Loop merchant API over real HTTP, with in-memory shops, signed webhooks and test controls under `/__control/`. */
export async function startLoopSimulator(
  options: SimulatorOptions<SettingsPatch> = {},
): Promise<LoopSimulator> {
  const state = new LoopSimulatorState(options.settings);
  return startSimulator(state, options, {
    apiPath: '/api',
    register: (app) => {
      configureHttp(app, state);
      registerLoopApi(app, state);
      registerLoopControls(app, state);
    },
  });
}

function configureHttp(app: FastifyInstance, state: LoopSimulatorState): void {
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
    if (api) state.calls.record(`${request.method} ${api[2]}`, api[1]);
    return sendJson(reply, 404, { message: `No route for ${request.method} ${path}.` });
  });
  app.setErrorHandler(async (error: FastifyError, _request, reply) => {
    const status = error.statusCode ?? 500;
    return sendJson(reply, status, { message: status >= 500 ? 'Server Error' : error.message });
  });
}
