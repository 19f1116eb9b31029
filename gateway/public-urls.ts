// The gateway's public paths, and the absolute URLs built on them that are handed out: onboarding links
// (admin API, npm start) and the per-tenant webhook URL registered with Loop (onboarding, npm start).
import type { FastifyRequest } from 'fastify';

/** Public routes live under these prefixes; anything registered beneath them is rate-limited. */
export const webhooksPrefix = '/webhooks';
export const onboardingPrefix = '/onboarding';
/** The token-protected operators' API. */
export const adminPrefix = '/admin';

const withoutTrailingSlash = (url: string) => url.replace(/\/+$/, '');

/**
 * Where Loop and merchants reach this gateway: PUBLIC_BASE_URL when set (behind a proxy or on a public
 * host), else the origin the request came to, which is right for a gateway reached directly.
 */
export const publicBaseUrl = (configured: string | undefined, request: FastifyRequest): string =>
  withoutTrailingSlash(configured ?? `${request.protocol}://${request.host}`);

/** The path of an onboarding link, which carries its invite token. */
export const onboardingLinkPath = (token: string) => `${onboardingPrefix}/${encodeURIComponent(token)}`;

export const onboardingLinkUrl = (baseUrl: string, token: string) =>
  `${withoutTrailingSlash(baseUrl)}${onboardingLinkPath(token)}`;

/** Where Loop delivers a tenant's webhooks. */
export const loopWebhookUrl = (baseUrl: string, tenantId: string) =>
  `${withoutTrailingSlash(baseUrl)}${webhooksPrefix}/loop/${encodeURIComponent(tenantId)}`;
