import type { FastifyInstance } from 'fastify';
import { z, ZodError } from 'zod';
import {
  returnRefSchema,
  simulatorConfigSchema,
  type AccountSeed,
  type ClockControl,
  type FacilitySeed,
  type OrderSeed,
  type ProductSeed,
  type ReturnSeed,
} from './seed-schemas.ts';
import { ControlError, type FinaleSimulatorState } from './state.ts';
import type { FaultSpec } from './faults.ts';

type AccountParams = { account: string };

/**
 * Test controls under `/__control/`: each mirrors an in-process method of the state (see README.md). Bodies are
 * validated by those methods' schemas, so they are passed on as their declared input types.
 */
export function registerControlRoutes(app: FastifyInstance, state: FinaleSimulatorState): void {
  void app.register(
    async (control) => {
      control.setErrorHandler((error, _request, reply) => {
        if (error instanceof ZodError) return reply.code(400).send({ error: z.prettifyError(error) });
        if (error instanceof ControlError) return reply.code(error.status).send({ error: error.message });
        return reply.send(error);
      });

      const clock = () => ({ now: state.clock.now(), iso: new Date(state.clock.now()).toISOString() });

      control.post('/reset', async (_request, reply) => {
        state.reset();
        return reply.code(204).send();
      });
      control.post('/config', async (request) => {
        state.configure(simulatorConfigSchema.parse(request.body));
        return { duplicateReturnIds: state.duplicateReturnIds };
      });

      control.post('/accounts', async (request, reply) =>
        reply.code(201).send(state.seedAccount(request.body as AccountSeed)),
      );
      control.post<{ Params: AccountParams }>('/accounts/:account/facilities', async (request, reply) =>
        reply.code(201).send(state.seedFacility(request.params.account, request.body as FacilitySeed)),
      );
      control.post<{ Params: AccountParams }>('/accounts/:account/products', async (request, reply) =>
        reply.code(201).send(state.seedProduct(request.params.account, request.body as ProductSeed)),
      );
      control.post<{ Params: AccountParams }>('/accounts/:account/orders', async (request, reply) =>
        reply.code(201).send(state.seedOrder(request.params.account, request.body as OrderSeed)),
      );
      control.post<{ Params: AccountParams & { orderId: string } }>(
        '/accounts/:account/orders/:orderId/publish',
        async (request) => state.publishOrder(request.params.account, request.params.orderId),
      );
      control.post<{ Params: AccountParams }>('/accounts/:account/returns', async (request, reply) =>
        reply.code(201).send(state.seedReturn(request.params.account, request.body as ReturnSeed)),
      );
      control.get<{ Params: AccountParams }>('/accounts/:account/returns', async (request) =>
        state.listReturns(request.params.account),
      );
      control.post('/returns/complete', async (request) =>
        state.completeReturn(returnRefSchema.parse(request.body).returnUrl),
      );
      control.post('/returns/cancel', async (request) =>
        state.cancelReturn(returnRefSchema.parse(request.body).returnUrl),
      );

      control.get('/clock', async () => clock());
      control.post('/clock', async (request) => {
        state.setClock(request.body as ClockControl);
        return clock();
      });

      control.get('/faults', async () => state.faults.list());
      control.post('/faults', async (request, reply) =>
        reply.code(201).send(state.faults.add(request.body as FaultSpec)),
      );
      control.delete('/faults', async (_request, reply) => {
        state.faults.clear();
        return reply.code(204).send();
      });

      control.get('/calls', async () => state.calls.snapshot());
      control.delete('/calls', async (_request, reply) => {
        state.calls.reset();
        return reply.code(204).send();
      });
    },
    { prefix: '/__control' },
  );
}
