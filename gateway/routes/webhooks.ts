import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { tenantIdSchema } from '../../config/tenant-settings.ts';
import { returnTriggers } from '../../integrations/loop/webhook-topics.ts';
import {
  LoopWebhookPayloadError,
  parseReturnWebhook,
  verifyLoopSignature,
  type LoopReturnWebhook,
} from '../../integrations/loop/webhooks.ts';
import { webhooksReceived, type WebhookOutcome } from '../../observability/gateway-metrics.ts';
import { TenantNotFoundError } from '../../store/errors.ts';
import type { TenantStore } from '../../store/tenant-store.ts';
import { deliverLoopChange, startReturnWorkflow } from '../../temporal/workflow-starts.ts';
import type { TemporalDeps } from '../app.ts';
import { HttpError, serviceUnavailable } from '../plugins/error-handler.ts';
import { logDetails } from '../plugins/request-log.ts';

export interface WebhookRoutesOptions {
  store: TenantStore;
  temporal: TemporalDeps;
  bodyLimit: number;
  temporalTimeoutMs: number;
}

/** Loop honours Retry-After up to 30 minutes; a Temporal blip rarely lasts longer than this. */
const RETRY_AFTER_SECONDS = 30;
/** How long a tenant's decrypted webhook secret is reused without reading the store. */
const SECRET_TTL_MS = 30_000;
/** A secret that fails to verify is re-read at most this often, so bad signatures cannot flood the store. */
const MIN_REFRESH_MS = 1_000;
const EMPTY = Buffer.alloc(0);

interface CachedSecret {
  secret: string;
  loadedAt: number;
}

/**
 * Tenants' webhook secrets, decrypted once per TTL instead of on every request. A signature that fails
 * against a cached secret is checked once more against a fresh read, so a rotated secret works at once
 * (the TTL only bounds how long an old secret keeps verifying).
 */
function webhookSecretCache(store: TenantStore) {
  const cached = new Map<string, CachedSecret>();
  const loading = new Map<string, Promise<CachedSecret | undefined>>();

  async function read(tenantId: string): Promise<CachedSecret | undefined> {
    try {
      const { loopWebhookSecret } = await store.getTenantSecrets(tenantId);
      const entry = { secret: loopWebhookSecret, loadedAt: Date.now() };
      cached.set(tenantId, entry);
      return entry;
    } catch (error) {
      if (!(error instanceof TenantNotFoundError)) throw error;
      cached.delete(tenantId);
      return undefined;
    }
  }

  // One read per tenant at a time, however many deliveries arrive together.
  function load(tenantId: string): Promise<CachedSecret | undefined> {
    let pending = loading.get(tenantId);
    if (pending === undefined) {
      pending = read(tenantId).finally(() => loading.delete(tenantId));
      loading.set(tenantId, pending);
    }
    return pending;
  }

  return {
    get(tenantId: string): Promise<CachedSecret | undefined> {
      const entry = cached.get(tenantId);
      return entry !== undefined && Date.now() - entry.loadedAt < SECRET_TTL_MS
        ? Promise.resolve(entry)
        : load(tenantId);
    },
    refresh(tenantId: string, stale: CachedSecret): Promise<CachedSecret | undefined> {
      return Date.now() - stale.loadedAt < MIN_REFRESH_MS ? Promise.resolve(stale) : load(tenantId);
    },
  };
}

const isReturnEvent = (topic: string, trigger: string) =>
  topic === 'return' && (returnTriggers as readonly string[]).includes(trigger);

/**
 * `POST /loop/:tenantId` (under /webhooks): Loop's signed webhooks for one tenant. 202 only once Temporal
 * took it (`return.created` started, a change signalled, or nothing left to tell a finished return);
 * anything Temporal does not take answers 503 with Retry-After so Loop redelivers. Paused tenants are
 * accepted: their workflows wait.
 */
export const webhookRoutes: FastifyPluginAsync<WebhookRoutesOptions> = async (fastify, options) => {
  const { store, temporal, bodyLimit, temporalTimeoutMs } = options;
  const secrets = webhookSecretCache(store);
  const outcomes = new WeakMap<FastifyRequest, WebhookOutcome>();

  // The signature covers the exact bytes Loop sent, so this scope never lets Fastify parse the body.
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  fastify.addHook('onResponse', async (request, reply) => {
    const status = reply.statusCode;
    const outcome =
      outcomes.get(request) ?? (status === 413 ? 'too-large' : status === 429 ? 'rate-limited' : 'error');
    webhooksReceived.inc({ outcome, status: String(status) });
  });

  fastify.post<{ Params: { tenantId: string }; Body: Buffer | undefined }>(
    '/loop/:tenantId',
    { bodyLimit },
    async (request, reply) => {
      const record = (outcome: WebhookOutcome) => {
        outcomes.set(request, outcome);
        logDetails(request, { outcome });
      };
      const refuse = (outcome: WebhookOutcome, error: HttpError) => {
        record(outcome);
        return error;
      };
      const { tenantId } = request.params;
      const unknownTenant = () => refuse('unknown-tenant', new HttpError(404, 'No such tenant.'));
      const readSecret = async (read: () => Promise<CachedSecret | undefined>) => {
        try {
          return await read();
        } catch (error) {
          request.log.error({ err: error, tenantId }, 'tenant store failed while checking a webhook');
          throw refuse('store-unavailable', serviceUnavailable(RETRY_AFTER_SECONDS));
        }
      };

      if (!tenantIdSchema.safeParse(tenantId).success) throw unknownTenant();
      const cached = await readSecret(() => secrets.get(tenantId));
      if (cached === undefined) throw unknownTenant();

      const body = request.body ?? EMPTY;
      const header = request.headers['x-loop-signature'];
      const signature = typeof header === 'string' ? header : undefined;
      if (!verifyLoopSignature(body, signature, cached.secret)) {
        const fresh = await readSecret(() => secrets.refresh(tenantId, cached));
        if (fresh === undefined) throw unknownTenant();
        if (fresh === cached || !verifyLoopSignature(body, signature, fresh.secret)) {
          throw refuse(
            'bad-signature',
            new HttpError(401, "X-Loop-Signature is missing or does not match this tenant's webhook secret."),
          );
        }
      }

      const webhook = parseBody(body, (message, details) =>
        refuse('malformed', new HttpError(400, message, details)),
      );
      if (webhook === 'ignored') {
        record('ignored');
        return reply.status(202).send({ outcome: 'ignored' });
      }

      const loopReturnId = webhook.return.id;
      const start = { tenantId, loopReturnId, loopReturn: webhook.return };
      const { client, taskQueue } = temporal;
      let outcome: WebhookOutcome;
      try {
        outcome = await client.withDeadline(Date.now() + temporalTimeoutMs, async () => {
          if (webhook.trigger === 'return.created') {
            return (await startReturnWorkflow(client, taskQueue, start)) ? 'started' : 'duplicate';
          }
          const change = { version: 1 as const, trigger: webhook.trigger, state: webhook.return.state };
          return deliverLoopChange(client, taskQueue, start, change);
        });
      } catch (error) {
        request.log.error(
          { err: error, tenantId, loopReturnId, trigger: webhook.trigger },
          'Temporal did not take the webhook; Loop will redeliver it',
        );
        throw refuse('temporal-unavailable', serviceUnavailable(RETRY_AFTER_SECONDS));
      }
      record(outcome);
      logDetails(request, { tenantId, loopReturnId, trigger: webhook.trigger });
      return reply.status(202).send({ outcome });
    },
  );
};

/** The verified body as a return event, `ignored` for events this integration does not act on, or a 400. */
function parseBody(
  body: Buffer,
  malformed: (message: string, details?: Record<string, unknown>) => HttpError,
): LoopReturnWebhook | 'ignored' {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    // The parser's message quotes the body: say only that it is not JSON.
    throw malformed('The body is not valid JSON.');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw malformed('The body must be a JSON object.');
  }
  const { topic, trigger } = json as Record<string, unknown>;
  if (typeof topic === 'string' && typeof trigger === 'string' && !isReturnEvent(topic, trigger))
    return 'ignored';
  try {
    return parseReturnWebhook(json);
  } catch (error) {
    if (!(error instanceof LoopWebhookPayloadError)) throw error;
    throw malformed('The body is not a valid Loop return webhook.', { issues: error.issues });
  }
}
