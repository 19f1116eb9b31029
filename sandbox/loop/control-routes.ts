import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { stateChangeInput } from './control-schemas.ts';
import type { SimulatorControls } from './controls.ts';
import { SimulatorControlError } from './store.ts';

const returnIdParam = z.object({ id: z.coerce.number().int().positive() });

/** Waits for pending deliveries, but never longer than this, so a hung receiver cannot hang the control. */
const SETTLE_TIMEOUT_MS = 30_000;

/** `/__control/*`: the HTTP face of `SimulatorControls` (documented in sandbox/loop/README.md). */
export function registerControlRoutes(app: FastifyInstance, sim: SimulatorControls): void {
  void app.register(
    async (control) => {
      control.setErrorHandler(async (error, _request, reply) => {
        if (error instanceof z.ZodError) {
          return reply.code(400).send({ error: 'invalid control request', issues: z.treeifyError(error) });
        }
        if (error instanceof SimulatorControlError)
          return reply.code(error.status).send({ error: error.message });
        throw error;
      });

      control.post('/reset', async () => {
        await sim.reset();
        return { ok: true };
      });

      control.post('/seed', async (request) => sim.seed(request.body as never));

      control.post('/returns', async (request, reply) =>
        reply.code(201).send(sim.submitReturn(request.body as never)),
      );

      control.get('/returns/:id', async (request) => sim.getReturn(returnIdParam.parse(request.params).id));

      control.post('/returns/:id/state', async (request) => {
        const { state } = stateChangeInput.parse(request.body);
        return sim.setReturnState(returnIdParam.parse(request.params).id, state);
      });

      control.get('/settings', async () => sim.getSettings());
      control.patch('/settings', async (request) => sim.updateSettings(request.body as never));

      control.get('/faults', async () => ({ faults: sim.listFaults() }));
      control.post('/faults', async (request, reply) =>
        reply.code(201).send(sim.addFault(request.body as never)),
      );
      control.delete('/faults', async () => {
        sim.clearFaults();
        return { ok: true };
      });
      control.delete('/faults/:id', async (request, reply) => {
        const removed = sim.removeFault((request.params as { id: string }).id);
        return removed ? { ok: true } : reply.code(404).send({ error: 'no such fault' });
      });

      control.get('/calls', async () => sim.calls());
      control.delete('/calls', async () => {
        sim.resetCalls();
        return { ok: true };
      });

      control.get('/deliveries', async (request) => {
        if ((request.query as { wait?: string }).wait === 'true') {
          const timeout = AbortSignal.timeout(SETTLE_TIMEOUT_MS);
          await Promise.race([
            sim.deliveriesSettled(),
            new Promise((resolve) => timeout.addEventListener('abort', resolve)),
          ]);
        }
        return { deliveries: sim.deliveries() };
      });
      control.delete('/deliveries', async () => {
        sim.clearDeliveries();
        return { ok: true };
      });
    },
    { prefix: '/__control' },
  );
}
