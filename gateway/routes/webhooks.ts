import { randomBytes } from 'node:crypto';
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

export interface WebhookLimits {
  windowMs: number;
  /**
   * Requests failing verification per client address and window; past it the address is answered 429
   * before anything is read. For a tenant that exists, failures count per address and tenant, so one
   * merchant's mismatched secret never holds up Loop's deliveries for the others.
   */
  unverifiedPerAddress: number;
  /** Verified deliveries per tenant and window: generous, it only bounds replays of a captured delivery. */
  verifiedPerTenant: number;
}

export interface WebhookRoutesOptions {
  store: TenantStore;
  temporal: TemporalDeps;
  bodyLimit: number;
  temporalTimeoutMs: number;
  limits: WebhookLimits;
  /** npm start's demo mode runs here: demo tenants are served. Otherwise they are unknown tenants. */
  demoMode: boolean;
}

/** Loop honours Retry-After up to 30 minutes; a Temporal blip rarely lasts longer than this. */
const RETRY_AFTER_SECONDS = 30;
/** How long a tenant's decrypted webhook secret is reused without reading the store. */
const SECRET_TTL_MS = 30_000;
/** A secret that fails to verify is re-read at most this often, so bad signatures cannot flood the store. */
const MIN_REFRESH_MS = 1_000;
/** How long a tenant ID found unknown is answered from memory, without reading the store. */
const UNKNOWN_TTL_MS = 10_000;
/** Unknown IDs remembered at most (the oldest forgotten first), so random IDs cannot grow memory. */
const UNKNOWN_MAX = 10_000;
/** An unknown tenant's signature is still computed, against this, so both refusals take alike. */
const UNKNOWN_TENANT_SECRET = randomBytes(32).toString('base64');
/** A Loop return ID as it may go into a workflow ID and an admin API path: Loop's are digits. */
const loopReturnIdPattern = /^[A-Za-z0-9_-]{1,64}$/;
const EMPTY = Buffer.alloc(0);

/** The one answer for an unknown tenant and a bad signature alike, so tenant IDs cannot be enumerated. */
const unverified = () =>
  new HttpError(401, "X-Loop-Signature is missing or does not match this tenant's webhook secret.");

interface CachedSecret {
  secret: string;
  loadedAt: number;
}

/**
 * Tenants' webhook secrets, decrypted once per TTL instead of on every request, and tenant IDs found
 * unknown (or not served: a demo tenant outside demo mode), remembered briefly so repeats never reach the
 * store. A signature that fails against a cached secret is checked once more against a fresh read, so a
 * rotated secret works at once (the TTL only bounds how long an old secret keeps verifying).
 */
function webhookSecretCache(store: TenantStore, demoMode: boolean) {
  const cached = new Map<string, CachedSecret>();
  const unknownUntil = new Map<string, number>();
  const loading = new Map<string, Promise<CachedSecret | undefined>>();

  function rememberUnknown(tenantId: string): undefined {
    cached.delete(tenantId);
    unknownUntil.delete(tenantId);
    if (unknownUntil.size >= UNKNOWN_MAX) unknownUntil.delete(unknownUntil.keys().next().value!);
    unknownUntil.set(tenantId, Date.now() + UNKNOWN_TTL_MS);
    return undefined;
  }

  async function read(tenantId: string): Promise<CachedSecret | undefined> {
    const tenant = await store.getTenant(tenantId);
    if (tenant === undefined || (tenant.demo && !demoMode)) return rememberUnknown(tenantId);
    try {
      const { loopWebhookSecret } = await store.getTenantSecrets(tenantId);
      const entry = { secret: loopWebhookSecret, loadedAt: Date.now() };
      cached.set(tenantId, entry);
      unknownUntil.delete(tenantId);
      return entry;
    } catch (error) {
      if (!(error instanceof TenantNotFoundError)) throw error;
      return rememberUnknown(tenantId);
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
      if (entry !== undefined && Date.now() - entry.loadedAt < SECRET_TTL_MS) return Promise.resolve(entry);
      if ((unknownUntil.get(tenantId) ?? 0) > Date.now()) return Promise.resolve(undefined);
      return load(tenantId);
    },
    refresh(tenantId: string, stale: CachedSecret): Promise<CachedSecret | undefined> {
      return Date.now() - stale.loadedAt < MIN_REFRESH_MS ? Promise.resolve(stale) : load(tenantId);
    },
    /** Whether the tenant was found when last read (its failures then count per address and tenant). */
    isKnown: (tenantId: string) => cached.has(tenantId),
  };
}

const isReturnEvent = (topic: string, trigger: string) =>
  topic === 'return' && (returnTriggers as readonly string[]).includes(trigger);

/**
 * `POST /loop/:tenantId` (under /webhooks): Loop's signed webhooks for one tenant. 202 only once Temporal
 * took it (`return.created` started, a change signalled, or nothing left to tell a finished return);
 * anything Temporal does not take answers 503 with Retry-After so Loop redelivers. Paused tenants are
 * accepted: their workflows wait. An unknown tenant and a bad signature get the same 401.
 */
export const webhookRoutes: FastifyPluginAsync<WebhookRoutesOptions> = async (fastify, options) => {
  const { store, temporal, bodyLimit, temporalTimeoutMs, limits, demoMode } = options;
  const secrets = webhookSecretCache(store, demoMode);
  const outcomes = new WeakMap<FastifyRequest, WebhookOutcome>();
  /** Requests whose signature verified: what happens to them later is not the sender's failure. */
  const verified = new WeakSet<FastifyRequest>();

  const tenantOf = (request: FastifyRequest) => (request.params as { tenantId?: string }).tenantId ?? '';
  const failureKey = new WeakMap<FastifyRequest, string>();
  const failures = fastify.createRateLimit({
    max: limits.unverifiedPerAddress,
    timeWindow: limits.windowMs,
    keyGenerator: (request) => failureKey.get(request) ?? request.ip,
  });
  const deliveries = fastify.createRateLimit({
    max: limits.verifiedPerTenant,
    timeWindow: limits.windowMs,
    keyGenerator: (request) => `tenant ${tenantOf(request)}`,
  });
  /** Where a failure counts: the address, or for a tenant that exists, the address and tenant. */
  const ownKey = (request: FastifyRequest) =>
    secrets.isKnown(tenantOf(request)) ? `${request.ip} ${tenantOf(request)}` : request.ip;
  const failureBudget = (request: FastifyRequest, key: string, increment: boolean) => {
    failureKey.set(request, key);
    return failures(request, { increment });
  };

  /** Seconds until the address may try again, when its failures used up a budget it draws on. */
  async function blockedFor(request: FastifyRequest): Promise<number | undefined> {
    for (const key of new Set([request.ip, ownKey(request)])) {
      const state = await failureBudget(request, key, false);
      if (!state.isAllowed && state.remaining === 0) return Math.max(1, state.ttlInSeconds);
    }
    return undefined;
  }

  // The signature covers the exact bytes Loop sent, so this scope never lets Fastify parse the body.
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  fastify.addHook('onResponse', async (request, reply) => {
    const status = reply.statusCode;
    const outcome =
      outcomes.get(request) ?? (status === 413 ? 'too-large' : status === 429 ? 'rate-limited' : 'error');
    webhooksReceived.inc({ outcome, status: String(status) });
    // Unknown tenant, bad signature, a body too large or unreadable before it was verified.
    if (status >= 400 && status < 500 && status !== 429 && !verified.has(request)) {
      await failureBudget(request, ownKey(request), true);
    }
  });

  fastify.post<{ Params: { tenantId: string }; Body: Buffer | undefined }>(
    '/loop/:tenantId',
    {
      bodyLimit,
      // Before the body is read: an address whose failures used up its budget costs nothing more.
      onRequest: async (request) => {
        const wait = await blockedFor(request);
        if (wait === undefined) return;
        outcomes.set(request, 'rate-limited');
        logDetails(request, { outcome: 'rate-limited' });
        throw new HttpError(
          429,
          'Too many webhooks from this address failed verification; try again later.',
          {},
          { 'retry-after': String(wait) },
        );
      },
    },
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
      const readSecret = async (read: () => Promise<CachedSecret | undefined>) => {
        try {
          return await read();
        } catch (error) {
          request.log.error({ err: error, tenantId }, 'tenant store failed while checking a webhook');
          throw refuse('store-unavailable', serviceUnavailable(RETRY_AFTER_SECONDS));
        }
      };

      const body = request.body ?? EMPTY;
      const header = request.headers['x-loop-signature'];
      const signature = typeof header === 'string' ? header : undefined;
      const cached = tenantIdSchema.safeParse(tenantId).success
        ? await readSecret(() => secrets.get(tenantId))
        : undefined;
      if (cached === undefined) {
        verifyLoopSignature(body, signature, UNKNOWN_TENANT_SECRET);
        throw refuse('unknown-tenant', unverified());
      }
      if (!verifyLoopSignature(body, signature, cached.secret)) {
        const fresh = await readSecret(() => secrets.refresh(tenantId, cached));
        if (fresh === undefined) throw refuse('unknown-tenant', unverified());
        if (fresh === cached || !verifyLoopSignature(body, signature, fresh.secret)) {
          throw refuse('bad-signature', unverified());
        }
      }
      verified.add(request);

      const budget = await deliveries(request);
      if (!budget.isAllowed && budget.isExceeded) {
        throw refuse(
          'rate-limited',
          new HttpError(
            429,
            'Too many webhooks for this tenant just now; Loop delivers them again later.',
            {},
            { 'retry-after': String(Math.max(1, budget.ttlInSeconds)) },
          ),
        );
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

const utf8 = new TextDecoder('utf-8', { fatal: true });
/** With the `u` flag a surrogate pair is one code point, so this matches lone surrogates only. */
const loneSurrogate = /[\uD800-\uDFFF]/u;

class IllFormedText extends Error {}

/** JSON.parse's reviver: every key and string must be well-formed Unicode (no lone surrogates). */
function wellFormed(key: string, value: unknown): unknown {
  if (loneSurrogate.test(key) || (typeof value === 'string' && loneSurrogate.test(value))) {
    throw new IllFormedText();
  }
  return value;
}

/** The verified body as a return event, `ignored` for events this integration does not act on, or a 400. */
function parseBody(
  body: Buffer,
  malformed: (message: string, details?: Record<string, unknown>) => HttpError,
): LoopReturnWebhook | 'ignored' {
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    throw malformed('The body is not valid UTF-8.');
  }
  let json: unknown;
  try {
    json = JSON.parse(text, wellFormed);
  } catch (error) {
    if (error instanceof IllFormedText) throw malformed('The body holds text that is not valid Unicode.');
    if (error instanceof RangeError) throw malformed('The body is nested too deeply.');
    // The parser's message quotes the body: say only that it is not JSON.
    throw malformed('The body is not valid JSON.');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw malformed('The body must be a JSON object.');
  }
  const { topic, trigger } = json as Record<string, unknown>;
  if (typeof topic === 'string' && typeof trigger === 'string' && !isReturnEvent(topic, trigger))
    return 'ignored';
  let webhook: LoopReturnWebhook;
  try {
    webhook = parseReturnWebhook(json);
  } catch (error) {
    if (!(error instanceof LoopWebhookPayloadError)) throw error;
    throw malformed('The body is not a valid Loop return webhook.', { issues: error.issues });
  }
  if (!loopReturnIdPattern.test(webhook.return.id)) {
    throw malformed('The body is not a valid Loop return webhook.', {
      issues: ['id: must be 1–64 letters, digits, "-" or "_"'],
    });
  }
  return webhook;
}
