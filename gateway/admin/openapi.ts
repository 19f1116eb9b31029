import swagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';

/** Where, under the admin prefix, the document is served (behind the admin token like every admin route). */
export const openApiPath = '/openapi.json';

interface Operation {
  requestBody?: { required?: boolean; content?: Record<string, { schema?: { required?: string[] } }> };
}

/**
 * An empty POST body means `{}` (see ./routes.ts), so a body whose schema requires no field may be left
 * out; @fastify/swagger marks every body required.
 */
function optionalEmptyBodies<D extends { paths?: object }>(document: D): D {
  for (const operations of Object.values(document.paths ?? {}) as Record<string, Operation>[]) {
    for (const { requestBody } of Object.values(operations)) {
      const schema = requestBody?.content?.['application/json']?.schema;
      if (requestBody && schema && !schema.required?.length) requestBody.required = false;
    }
  }
  return document;
}

/**
 * The admin API's OpenAPI 3.1 document, generated from the route schemas (gateway/admin/schemas.ts) as
 * the routes are added. Wrapped with fastify-plugin so it collects the routes of the scope that registers
 * it — the admin plugin — and of nothing else; register it before the routes.
 */
export const openApi = fp(
  async (fastify: FastifyInstance) => {
    await fastify.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: 'loop-finale-bridge admin API',
          description:
            'Operators’ API: tenants, return workflows, onboarding invites and readiness details. The CLI (npm run cli) uses it.',
          version: '1.0.0',
        },
        components: { securitySchemes: { adminToken: { type: 'http', scheme: 'bearer' } } },
        security: [{ adminToken: [] }],
      },
      transform: jsonSchemaTransform,
      transformObject: (documentObject) =>
        'openapiObject' in documentObject
          ? optionalEmptyBodies(documentObject.openapiObject)
          : documentObject.swaggerObject,
    });
    fastify.get(openApiPath, { schema: { hide: true } }, async () => fastify.swagger());
  },
  { name: 'admin-openapi' },
);
