import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ControlError } from './control-error.ts';
import type { FaultKind, FaultSpec } from './faults.ts';
import type { SimulatorState } from './state.ts';

/**
 * The test controls under `/__control/`, without authentication: reset, settings, faults and call counts,
 * which every simulator has, then the simulator's own (`registerOwn`). Invalid input answers 400
 * `{error, issues}`; a `ControlError` answers its status with `{error}`.
 */
export function registerControls<Settings extends object, SettingsPatch, Kind extends FaultKind>(
  app: FastifyInstance,
  state: SimulatorState<Settings, SettingsPatch, Kind> & { reset(): void | Promise<void> },
  registerOwn: (control: FastifyInstance) => void,
): void {
  void app.register(
    async (control) => {
      control.setErrorHandler(async (error, _request, reply) => {
        if (error instanceof z.ZodError) {
          return reply.code(400).send({ error: z.prettifyError(error), issues: z.treeifyError(error) });
        }
        if (error instanceof ControlError) return reply.code(error.status).send({ error: error.message });
        throw error;
      });

      control.post('/reset', async (_request, reply) => {
        await state.reset();
        return reply.code(204).send();
      });

      // Bodies are validated by the state's own methods, so they pass on as their declared input types.
      control.get('/settings', async () => state.getSettings());
      control.patch('/settings', async (request) => state.updateSettings(request.body as SettingsPatch));

      control.get('/faults', async () => ({ faults: state.faults.list() }));
      control.post('/faults', async (request, reply) =>
        reply.code(201).send(state.faults.add(request.body as FaultSpec)),
      );
      control.delete('/faults', async (_request, reply) => {
        state.faults.clear();
        return reply.code(204).send();
      });
      control.delete<{ Params: { id: string } }>('/faults/:id', async (request, reply) => {
        state.faults.remove(request.params.id);
        return reply.code(204).send();
      });

      control.get('/calls', async () => state.calls.snapshot());
      control.get('/calls/rate-limited', async () => state.calls.rateLimited());
      control.get('/calls/busiest-window', async (request) => {
        const query = z
          .object({ windowMs: z.coerce.number().int().positive(), endpoint: z.string().min(1).optional() })
          .parse(request.query);
        return { ...query, calls: state.calls.busiestWindow(query.windowMs, query.endpoint) };
      });
      control.delete('/calls', async (_request, reply) => {
        state.calls.reset();
        return reply.code(204).send();
      });

      registerOwn(control);
    },
    { prefix: '/__control' },
  );
}
