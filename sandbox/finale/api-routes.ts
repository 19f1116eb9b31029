import type { FastifyInstance, FastifyReply } from 'fastify';
import type { OutcomeFault } from '../shared/faults.ts';
import { dropConnection, sendHugeBody } from '../shared/server.ts';
import { decodeFilter, FilterError, matchesFilter, toColumns } from './collection.ts';
import { renderFacility, renderOrder, renderProduct, renderReturn, type SimReturn } from './records.ts';
import { validateNewReturn } from './return-create.ts';
import type { FinaleFaultKind, FinaleSimulatorState, RateLimitedBudget, SimAccount } from './state.ts';

type ApiAnswer = ({ json: unknown } | { text: string }) & {
  status: number;
  headers?: Record<string, string>;
};

type Query = Record<string, string | string[] | undefined>;

interface ApiCall {
  account: SimAccount;
  params: Record<string, string>;
  query: Query;
  body: unknown;
}

const notFound = (what: string): ApiAnswer => ({ status: 404, text: `${what} not found` });

const rejected = (message: string): ApiAnswer => ({ status: 400, json: { errorMessage: message } });

function authorised(header: string | undefined, account: SimAccount): boolean {
  const match = /^Basic\s+(\S+)$/i.exec(header ?? '');
  if (!match?.[1]) return false;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return (
    colon >= 0 && decoded.slice(0, colon) === account.apiKey && decoded.slice(colon + 1) === account.apiSecret
  );
}

/** Finale's 429: the limit, and when it resets as an epoch timestamp in seconds (or milliseconds). */
function rateLimitAnswer(
  limit: number,
  resetAtMs: number,
  unit: 'seconds' | 'milliseconds' = 'seconds',
): ApiAnswer & { headers: Record<string, string> } {
  const reset = unit === 'milliseconds' ? resetAtMs : Math.ceil(resetAtMs / 1000);
  return {
    status: 429,
    text: 'Rate limit exceeded',
    headers: { 'x-ratelimit-limit': String(limit), 'x-ratelimit-reset': String(reset) },
  };
}

/** The answer a fault gives instead of the API's own, in Finale's style. */
function faultAnswer(
  fault: Extract<OutcomeFault<FinaleFaultKind>, { kind: 'server-error' | 'rate-limit' | 'body' }>,
): ApiAnswer {
  switch (fault.kind) {
    case 'server-error':
      return { status: fault.status, text: 'Service temporarily unavailable' };
    case 'rate-limit': {
      // Wall-clock time, like the client's own clock; the simulator clock is for record data only.
      const answer = rateLimitAnswer(120, Date.now() + (fault.resetInMs ?? 1000), fault.resetUnit);
      if (fault.omitReset) delete answer.headers['x-ratelimit-reset'];
      if (fault.retryAfter !== undefined) answer.headers['retry-after'] = fault.retryAfter;
      return answer;
    }
    case 'body':
      return fault.text === undefined
        ? { status: fault.status, json: fault.body }
        : { status: fault.status, text: fault.text };
  }
}

/** The answer with every top-level `…Url` removed: a 2xx that does not say where the record is. */
function withoutUrls(answer: ApiAnswer): ApiAnswer {
  if (!('json' in answer) || typeof answer.json !== 'object' || answer.json === null) return answer;
  return {
    ...answer,
    json: Object.fromEntries(Object.entries(answer.json).filter(([key]) => !key.endsWith('Url'))),
  };
}

function send(reply: FastifyReply, answer: ApiAnswer): FastifyReply {
  reply.code(answer.status).headers(answer.headers ?? {});
  return 'text' in answer
    ? reply.type('text/plain; charset=utf-8').send(answer.text)
    : reply.send(answer.json);
}

function collection(rows: Record<string, unknown>[], query: Query, now: number): ApiAnswer {
  const { filter, limit } = query;
  if (Array.isArray(filter) || Array.isArray(limit)) return { status: 400, text: 'Repeated query parameter' };
  let matching = rows;
  if (filter !== undefined) {
    try {
      const ranges = decodeFilter(filter, now);
      matching = rows.filter((row) => matchesFilter(row, ranges));
    } catch (error) {
      if (error instanceof FilterError) return { status: 400, text: error.message };
      throw error;
    }
  }
  // `limit` applies after filtering; `offset` is accepted and ignored, as reported of the real API.
  const max = limit === undefined ? NaN : Number(limit);
  return {
    status: 200,
    json: toColumns(Number.isInteger(max) && max >= 0 ? matching.slice(0, max) : matching),
  };
}

/** Finale's REST API for every seeded account: Basic auth, column-major collections, action URLs. */
export function registerFinaleApi(app: FastifyInstance, state: FinaleSimulatorState): void {
  const route = (method: 'GET' | 'POST', url: string, handler: (call: ApiCall) => ApiAnswer) => {
    const isCollection = method === 'GET' && !url.includes('/:id');
    const endpoint = `${method} ${url}${isCollection ? ' (collection)' : ''}`;
    const budgets: RateLimitedBudget[] =
      method === 'POST' ? ['post'] : isCollection ? ['get', 'collection'] : ['get'];
    const rateLimited = (reply: FastifyReply, answer: ApiAnswer) => {
      state.calls.recordRateLimited(endpoint);
      return send(reply, answer);
    };
    app.route({
      method,
      url,
      handler: async (request, reply) => {
        state.calls.record(endpoint);
        const params = request.params as Record<string, string>;
        const account = state.account(params.account ?? '');
        if (!account) return send(reply, notFound(`Account ${params.account}`));
        if (!authorised(request.headers.authorization, account)) {
          return send(reply, {
            status: 401,
            text: 'Unauthorized',
            headers: { 'www-authenticate': 'Basic realm="Finale"' },
          });
        }
        const refusal = state.takeRateLimit(account, budgets);
        if (refusal) return rateLimited(reply, rateLimitAnswer(refusal.limit.requests, refusal.resetAtMs));
        const outcome = await state.faults.meet(endpoint);
        if (outcome?.kind === 'drop') return dropConnection(request, reply);
        if (outcome?.kind === 'huge-body') return sendHugeBody(reply, outcome);
        if (outcome?.kind === 'rate-limit') return rateLimited(reply, faultAnswer(outcome));
        if (outcome && outcome.kind !== 'apply-then-drop' && outcome.kind !== 'missing-url') {
          return send(reply, faultAnswer(outcome));
        }
        const answer = handler({ account, params, query: request.query as Query, body: request.body });
        if (outcome?.kind === 'apply-then-drop') return dropConnection(request, reply);
        return send(reply, outcome?.kind === 'missing-url' ? withoutUrls(answer) : answer);
      },
    });
  };

  const returnAt = (call: ApiCall): SimReturn | undefined =>
    call.account.returns.find(
      (record) => record.returnUrl === `${call.account.apiRoot}/return/${call.params.id}`,
    );

  const returnAction = (statusId: 'RETURN_COMPLETED' | 'RETURN_CANCELLED') => (call: ApiCall) => {
    const record = returnAt(call);
    if (!record) return notFound('Return');
    if (!state.transitionReturn(record, statusId)) {
      return rejected(`Return ${record.returnId} is ${record.statusId}; this action is not available`);
    }
    return { status: 200, json: renderReturn(record, { withItems: true }) };
  };

  route('GET', '/:account/api/facility', ({ account, query }) =>
    collection(account.facilities.map(renderFacility), query, state.clock.now()),
  );
  route('GET', '/:account/api/facility/:id', ({ account, params }) => {
    const facility = account.facilities.find((candidate) => candidate.facilityId === params.id);
    return facility ? { status: 200, json: renderFacility(facility) } : notFound('Facility');
  });

  route('GET', '/:account/api/product', ({ account, query }) =>
    collection(account.products.map(renderProduct), query, state.clock.now()),
  );
  route('GET', '/:account/api/product/:id', ({ account, params }) => {
    const url = `${account.apiRoot}/product/${encodeURIComponent(params.id ?? '')}`;
    const product = account.products.find((candidate) => candidate.productUrl === url);
    return product ? { status: 200, json: renderProduct(product) } : notFound('Product');
  });

  route('GET', '/:account/api/order', ({ account, query }) => {
    const visible = account.orders.filter((order) => state.isVisible(order));
    return collection(
      visible.map((order) => renderOrder(order, { withItems: false })),
      query,
      state.clock.now(),
    );
  });
  route('GET', '/:account/api/order/:id', ({ account, params }) => {
    const order = account.orders.find(
      (candidate) => candidate.orderId === params.id && state.isVisible(candidate),
    );
    return order ? { status: 200, json: renderOrder(order, { withItems: true }) } : notFound('Order');
  });

  route('GET', '/:account/api/return', ({ account, query }) =>
    collection(
      account.returns.map((record) =>
        renderReturn(record, { withItems: state.settings.collectionReturnItems === 'include' }),
      ),
      query,
      state.clock.now(),
    ),
  );
  route('POST', '/:account/api/return', ({ account, body }) => {
    const input = validateNewReturn(state, account, body);
    if (!input.ok) return rejected(input.message);
    return { status: 200, json: renderReturn(state.insertReturn(account, input.value), { withItems: true }) };
  });
  route('GET', '/:account/api/return/:id', (call) => {
    const record = returnAt(call);
    return record ? { status: 200, json: renderReturn(record, { withItems: true }) } : notFound('Return');
  });
  route('POST', '/:account/api/return/:id/complete', returnAction('RETURN_COMPLETED'));
  route('POST', '/:account/api/return/:id/cancel', returnAction('RETURN_CANCELLED'));
}
