import type { FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { TenantStore } from '../../store/tenant-store.ts';
import type { TemporalDeps } from '../app.ts';
import type { Readiness } from '../readiness.ts';
import { adminAuth } from './auth.ts';
import { inviteRoutes } from './invite-routes.ts';
import { openApi } from './openapi.ts';
import { readinessRoutes } from './readiness-routes.ts';
import { returnRoutes } from './return-routes.ts';
import { tenantRoutes } from './tenant-routes.ts';

export interface AdminRoutesOptions {
  /** ADMIN_TOKEN; unset = the admin API answers 404. */
  token: string | undefined;
  store: TenantStore;
  temporal: TemporalDeps;
  /** How long a request waits for Temporal before answering 503. */
  temporalTimeoutMs: number;
  /** PUBLIC_BASE_URL, for the onboarding links invites hand out. */
  publicBaseUrl: string;
  /** The gateway's dependency checks, shown in full here (the public /readyz gives only the verdict). */
  readiness: Readiness;
}

/**
 * The operators' API (JSON, bearer token): tenants, return workflows, onboarding invites and readiness
 * details, with its
 * OpenAPI document. Register under the admin prefix. Encapsulated (not fastify-plugin), so its token check,
 * body handling and zod schemas apply to these routes only. Every route declares its params, body and
 * answers with the schemas in ./schemas.ts: they validate the request, serialise the answer and make the
 * OpenAPI document. A new admin route goes in the routes module of its resource, registered below.
 */
export async function adminRoutes(fastify: FastifyInstance, options: AdminRoutesOptions): Promise<void> {
  fastify.setValidatorCompiler(validatorCompiler);
  fastify.setSerializerCompiler(serializerCompiler);
  await fastify.register(adminAuth, { token: options.token });

  // A POST without a body means "the defaults", even when a client still sends a JSON content type.
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body.toString();
    if (text === '') done(null, undefined);
    // The default parser answers through `done`; it returns nothing to wait for.
    else void parseJson(request, text, done);
  });
  fastify.addHook('preValidation', async (request) => {
    if (request.body === undefined && request.routeOptions.schema?.body !== undefined) request.body = {};
  });

  await fastify.register(openApi);
  const { store, temporal, temporalTimeoutMs } = options;
  await fastify.register(tenantRoutes, { store, temporal, temporalTimeoutMs });
  await fastify.register(returnRoutes, { store, temporal, temporalTimeoutMs });
  await fastify.register(inviteRoutes, { store, publicBaseUrl: options.publicBaseUrl });
  await fastify.register(readinessRoutes, { readiness: options.readiness });
}
