import type { FastifyInstance } from 'fastify';
import { registerControls } from '../shared/control-routes.ts';
import {
  returnCompletionSchema,
  returnItemsChangeSchema,
  returnRefSchema,
  type AccountSeed,
  type ClockControl,
  type FacilitySeed,
  type OrderSeed,
  type ProductSeed,
  type ReturnSeed,
} from './control-schemas.ts';
import type { FinaleSimulatorState } from './state.ts';

type AccountParams = { account: string };

/**
 * Test controls under `/__control/` (see README.md): the shared reset, settings, faults and calls, then
 * Finale's seeding, warehouse and clock controls. Each mirrors an in-process method of the state; bodies are
 * validated by those methods' schemas, so they are passed on as their declared input types.
 */
export function registerFinaleControls(app: FastifyInstance, state: FinaleSimulatorState): void {
  registerControls(app, state, (control) => {
    const clock = () => ({ now: state.clock.now(), iso: new Date(state.clock.now()).toISOString() });

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
    control.post('/returns/complete', async (request) => {
      const { returnUrl, items } = returnCompletionSchema.parse(request.body);
      return state.completeReturn(returnUrl, { items });
    });
    control.post('/returns/items', async (request) => {
      const { returnUrl, items } = returnItemsChangeSchema.parse(request.body);
      return state.changeReturnItems(returnUrl, items);
    });
    control.post('/returns/cancel', async (request) =>
      state.cancelReturn(returnRefSchema.parse(request.body).returnUrl),
    );

    control.get('/clock', async () => clock());
    control.post('/clock', async (request) => {
      state.setClock(request.body as ClockControl);
      return clock();
    });
  });
}
