import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { registerControls } from '../shared/control-routes.ts';
import {
  stateChangeSchema,
  type DestinationInput,
  type DestinationPatch,
  type ReturnInput,
  type SeedInput,
} from './control-schemas.ts';
import type { LoopSimulatorState } from './state.ts';

const idParam = z.object({ id: z.coerce.number().int().positive() });

/** Waits for pending deliveries, but never longer than this, so a hung receiver cannot hang the control. */
const SETTLE_TIMEOUT_MS = 30_000;

/**
 * Test controls under `/__control/` (see README.md): the shared reset, settings, faults and calls, then
 * Loop's seeding, return and delivery controls. Each mirrors an in-process method of the state; bodies are
 * validated by those methods' schemas, so they are passed on as their declared input types.
 */
export function registerLoopControls(app: FastifyInstance, state: LoopSimulatorState): void {
  registerControls(app, state, (control) => {
    control.post('/seed', async (request) => state.seed(request.body as SeedInput));

    control.get('/destinations', async () => ({ destinations: state.listDestinations() }));
    control.post('/destinations', async (request, reply) =>
      reply.code(201).send(state.seedDestination(request.body as DestinationInput)),
    );
    control.patch('/destinations/:id', async (request) =>
      state.updateDestination(idParam.parse(request.params).id, request.body as DestinationPatch),
    );

    control.post('/returns', async (request, reply) =>
      reply.code(201).send(state.submitReturn(request.body as ReturnInput)),
    );
    control.get('/returns', async () => ({ returns: state.listReturns() }));
    control.get('/returns/:id', async (request) => state.getReturn(idParam.parse(request.params).id));
    control.post('/returns/:id/state', async (request) => {
      const { state: next } = stateChangeSchema.parse(request.body);
      return state.setReturnState(idParam.parse(request.params).id, next);
    });

    control.get('/deliveries', async (request) => {
      if ((request.query as { wait?: string }).wait === 'true') {
        const timeout = AbortSignal.timeout(SETTLE_TIMEOUT_MS);
        await Promise.race([
          state.deliveriesSettled(),
          new Promise((resolve) => timeout.addEventListener('abort', resolve)),
        ]);
      }
      return { deliveries: state.deliveries() };
    });
    control.delete('/deliveries', async (_request, reply) => {
      state.clearDeliveries();
      return reply.code(204).send();
    });
  });
}
