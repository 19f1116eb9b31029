import { startSimulator, type RunningSimulator, type SimulatorOptions } from '../shared/server.ts';
import { registerFinaleApi } from './api-routes.ts';
import type { SettingsPatch } from './control-schemas.ts';
import { registerFinaleControls } from './control-routes.ts';
import { FinaleSimulatorState } from './state.ts';

/** `url` is also `apiBaseUrl`: a FinaleClient takes the origin, as account paths start at the root. */
export type FinaleSimulator = RunningSimulator<FinaleSimulatorState>;

/** A Finale Inventory API over real HTTP, with in-memory accounts and test controls under `/__control/`. */
export async function startFinaleSimulator(
  options: SimulatorOptions<SettingsPatch> = {},
): Promise<FinaleSimulator> {
  const state = new FinaleSimulatorState(options.settings);
  return startSimulator(state, options, {
    apiPath: '',
    register: (app) => {
      registerFinaleApi(app, state);
      registerFinaleControls(app, state);
      app.setNotFoundHandler(async (request, reply) => {
        if (!request.url.startsWith('/__control/')) state.calls.record(`${request.method} (unknown route)`);
        return reply.code(404).type('text/plain; charset=utf-8').send('Not found');
      });
    },
  });
}
