import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { OutcomeFault } from '../shared/faults.ts';
import { dropConnection, sendHugeBody } from '../shared/server.ts';
import type { SimScope } from './control-schemas.ts';
import { validationError } from './laravel-errors.ts';
import { listReturns } from './list-returns.ts';
import { phpJson, renderDestination, renderWebhook } from './payloads.ts';
import { decideAction, returnActions } from './return-actions.ts';
import type { SimShop } from './records.ts';
import type { LoopFaultKind, LoopSimulatorState } from './state.ts';
import { validateWebhookBody } from './webhook-validation.ts';

/** `v1` (legacy alias) or a date version such as `2026-07`. */
const SUPPORTED_VERSION = /^(v1|\d{4}-(0[1-9]|1[0-2]))$/;

/** The gateway's 401 (its `code` and `http_code` look swapped, as measured). */
const UNAUTHORIZED = { error: { code: '401', http_code: 'GEN-UNAUTHORIZED', message: 'Unauthorized.' } };
const NO_SUCH_RETURN = { errors: { message: 'No return found with this ID.' } };
const WEBHOOK_NOT_FOUND = { errors: { code: 'NOT_FOUND' } };

export const sendJson = (reply: FastifyReply, status: number, value: unknown) =>
  reply.code(status).type('application/json').send(phpJson(value));

/** The route pattern without the `/api/:version` prefix, e.g. `/warehouse/return/:id/close`. */
const routeOf = (request: FastifyRequest) => request.routeOptions.url?.replace(/^\/api\/:version/, '') ?? '';

const requiredScope = (route: string): SimScope =>
  route.startsWith('/webhooks')
    ? 'developer_tools'
    : route.startsWith('/destinations')
      ? 'destinations:read'
      : 'returns';

const firstString = (value: unknown): string | undefined =>
  typeof value === 'string'
    ? value
    : Array.isArray(value) && typeof value[0] === 'string'
      ? value[0]
      : undefined;

const queryOf = (request: FastifyRequest) =>
  Object.fromEntries(
    Object.entries(request.query as Record<string, unknown>).map(([key, value]) => [key, firstString(value)]),
  );

/** Path IDs are integers in Loop; anything else matches nothing. */
const numericId = (value: string) => (/^\d+$/.test(value) ? Number(value) : undefined);

/** The answer a fault gives instead of the API's own, in Loop's style. */
function answerWithFault(fault: OutcomeFault<LoopFaultKind>, request: FastifyRequest, reply: FastifyReply) {
  switch (fault.kind) {
    case 'server-error':
      return sendJson(reply, fault.status, { message: 'Server Error' });
    case 'rate-limit':
      if (fault.retryAfter !== undefined) void reply.header('retry-after', fault.retryAfter);
      return sendJson(reply, 429, { message: 'Too Many Attempts.' });
    case 'body':
      return fault.text === undefined
        ? sendJson(reply, fault.status, fault.body)
        : reply.code(fault.status).type('text/plain; charset=utf-8').send(fault.text);
    case 'huge-body':
      return sendHugeBody(reply, fault);
    case 'endless-pages': {
      // The same request again, one page further on (a parameter the list itself ignores), for ever.
      const url = new URL(request.url, `${request.protocol}://${request.host}`);
      url.searchParams.set('endlessPage', String(Number(url.searchParams.get('endlessPage') ?? 0) + 1));
      return sendJson(reply, 200, { returns: [], nextPageUrl: url.toString(), previousPageUrl: null });
    }
    case 'drop':
      return dropConnection(request, reply);
    case 'apply-then-drop':
      throw new Error('apply-then-drop lets the request through; its answer is dropped on sending');
  }
}

/** The Loop merchant API under `/api/{version}`: auth, scopes, rate limit, faults, then the endpoints. */
export function registerLoopApi(app: FastifyInstance, sim: LoopSimulatorState): void {
  const shops = new WeakMap<FastifyRequest, SimShop>();
  const shopOf = (request: FastifyRequest) => {
    const shop = shops.get(request);
    if (!shop) throw new Error('request was not authenticated');
    return shop;
  };

  /** Requests that take effect, then lose their answer: the socket is destroyed instead of sending it. */
  const dropAfterApplying = new WeakSet<FastifyRequest>();

  void app.register(
    async (api) => {
      api.addHook('onSend', async (request, _reply, payload) => {
        if (dropAfterApplying.has(request)) request.raw.socket.destroy();
        return payload;
      });
      api.addHook('onRequest', async (request, reply) => {
        const route = routeOf(request);
        const { version } = request.params as { version: string };
        const endpoint = `${request.method} ${route}`;
        sim.calls.record(endpoint, version);
        if (!SUPPORTED_VERSION.test(version)) return sendJson(reply, 404, { message: 'Not Found' });
        const fault = await sim.faults.meet(endpoint);
        if (fault?.kind === 'rate-limit') sim.calls.recordRateLimited(endpoint);
        if (fault?.kind === 'apply-then-drop') dropAfterApplying.add(request);
        else if (fault) return answerWithFault(fault, request, reply);
        const shop = sim.records.shopByKey(firstString(request.headers['x-authorization']));
        if (!shop || !shop.scopes.includes(requiredScope(route))) return sendJson(reply, 401, UNAUTHORIZED);
        if (!sim.rateLimiter.allow(shop.apiKey, sim.settings.rateLimit)) {
          sim.calls.recordRateLimited(endpoint);
          return sendJson(reply, 429, { message: 'Too Many Attempts.' });
        }
        shops.set(request, shop);
      });

      api.get('/warehouse/return/details', async (request, reply) => {
        const shop = shopOf(request);
        const query = queryOf(request);
        const given = (['return_id', 'order_id', 'order_name'] as const).filter((key) => query[key]);
        if (given.length !== 1) {
          return sendJson(
            reply,
            422,
            validationError({ return_id: 'Exactly one of return_id, order_id or order_name is required.' }),
          );
        }
        const key = given[0]!;
        const value = query[key]!;
        const matches = sim.records
          .shopReturns(shop.id)
          .filter((r) =>
            key === 'return_id'
              ? r.id === numericId(value)
              : key === 'order_id'
                ? r.orderId === numericId(value)
                : r.orderName === value,
          )
          .sort((a, b) => b.createdAt - a.createdAt);
        const record = matches[0];
        if (!record) return sendJson(reply, 200, { error: { message: 'Return not found.' } });
        return sendJson(reply, 200, sim.render(record));
      });

      api.get('/warehouse/return/list', async (request, reply) => {
        const shop = shopOf(request);
        const url = new URL(request.url, `${request.protocol}://${request.host}`);
        const answer = listReturns(sim.records.shopReturns(shop.id), queryOf(request), {
          idMode: sim.settings.idMode,
          paginationSupported: sim.settings.paginationSupported,
          pageUrl: (cursor) => {
            url.searchParams.set('cursor', cursor);
            return url.toString();
          },
        });
        return sendJson(reply, answer.status, answer.body);
      });

      for (const action of returnActions) {
        api.post(`/warehouse/return/:id/${action}`, async (request, reply) => {
          const shop = shopOf(request);
          const id = numericId((request.params as { id: string }).id);
          const record = id === undefined ? undefined : sim.records.returnOf(shop.id, id);
          if (!record) return sendJson(reply, 200, NO_SUCH_RETURN);
          const decision = decideAction(record.state, action, shop.allowFlaggedToProcess);
          sim.records.addAction(record, {
            action,
            accepted: decision.body === 'true',
            changed: decision.next !== undefined,
          });
          if (decision.next) sim.notify(record, sim.records.setState(record, decision.next));
          return sendJson(reply, 200, decision.body);
        });
      }

      api.post('/warehouse/return/:id/note', async (request, reply) => {
        const shop = shopOf(request);
        const id = numericId((request.params as { id: string }).id);
        const record = id === undefined ? undefined : sim.records.returnOf(shop.id, id);
        if (!record) return sendJson(reply, 200, NO_SUCH_RETURN);
        const content = (request.body as { content?: unknown } | undefined)?.content;
        if (typeof content !== 'string' || content.trim() === '') {
          return sendJson(reply, 422, validationError({ content: 'The content field is required.' }));
        }
        // Laravel counts characters (code points), not UTF-16 units.
        if (Array.from(content).length >= 255) {
          return sendJson(
            reply,
            422,
            validationError({ content: 'The content must be less than 255 characters.' }),
          );
        }
        sim.records.addNote(record, content);
        return sendJson(reply, 200, 'true');
      });

      api.get('/warehouse/return/:id/notes', async (request, reply) => {
        const shop = shopOf(request);
        const id = numericId((request.params as { id: string }).id);
        const record = id === undefined ? undefined : sim.records.returnOf(shop.id, id);
        if (!record) return sendJson(reply, 200, NO_SUCH_RETURN);
        if (record.notes.length === 0)
          return sendJson(reply, 422, { message: 'No notes found for this return.' });
        return sendJson(reply, 200, {
          notes: record.notes.map((note) => ({
            id: note.id,
            content: note.content,
            created_at: new Date(note.createdAt).toISOString(),
          })),
        });
      });

      api.get('/destinations', async (request, reply) => {
        const destinations = sim.records.shopDestinations(shopOf(request).id);
        // Documented in Loop's newest destinations spec: one address-less destination fails the whole list.
        if (destinations.some((d) => d.address === null)) {
          return sendJson(reply, 500, { message: 'One or more destinations do not have an address.' });
        }
        return sendJson(reply, 200, {
          destinations: destinations.map((d) => renderDestination(d, sim.settings.idMode)),
        });
      });

      api.get('/destinations/:id', async (request, reply) => {
        const id = numericId((request.params as { id: string }).id);
        if (id === undefined)
          return sendJson(reply, 400, { code: 'BAD_REQUEST', message: 'Invalid destination id.' });
        const destination = sim.records.shopDestinations(shopOf(request).id).find((d) => d.id === id);
        if (!destination) {
          return sendJson(reply, 404, { code: 'NOT_FOUND', message: 'The destination could not be found.' });
        }
        return sendJson(reply, 200, renderDestination(destination, sim.settings.idMode));
      });

      api.get('/webhooks', async (request, reply) => {
        const webhooks = sim.records.shopWebhooks(shopOf(request).id);
        return sendJson(reply, 200, { webhooks: webhooks.map((w) => renderWebhook(w, sim.settings.idMode)) });
      });

      api.post('/webhooks', async (request, reply) => {
        const shop = shopOf(request);
        const input = validateWebhookBody(request.body);
        if (!input.ok) return sendJson(reply, 422, input.error);
        // Loop creates subscriptions inactive unless told otherwise.
        const webhook = sim.records.addWebhook({ status: 'inactive', ...input.fields, shopId: shop.id });
        return sendJson(reply, 200, renderWebhook(webhook, sim.settings.idMode));
      });

      api.put('/webhooks/:id', async (request, reply) => {
        const shop = shopOf(request);
        const id = numericId((request.params as { id: string }).id);
        const webhook = id === undefined ? undefined : sim.records.webhooks.get(id);
        if (!webhook || webhook.shopId !== shop.id) return sendJson(reply, 404, WEBHOOK_NOT_FOUND);
        const input = validateWebhookBody(request.body);
        if (!input.ok) return sendJson(reply, 422, input.error);
        Object.assign(webhook, { status: 'inactive' }, input.fields);
        return reply.code(204).send();
      });

      api.delete('/webhooks/:id', async (request, reply) => {
        const shop = shopOf(request);
        const id = numericId((request.params as { id: string }).id);
        const webhook = id === undefined ? undefined : sim.records.webhooks.get(id);
        if (!webhook || webhook.shopId !== shop.id) return sendJson(reply, 404, WEBHOOK_NOT_FOUND);
        sim.records.webhooks.delete(webhook.id);
        return reply.code(204).send();
      });
    },
    { prefix: '/api/:version' },
  );
}
