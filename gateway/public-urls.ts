// The gateway's public paths, and the absolute URLs built on them that are handed out: onboarding links
// (admin API, npm start) and the per-tenant webhook URL registered with Loop (onboarding, npm start). Every
// absolute URL is built on PUBLIC_BASE_URL, never on a request's Host or X-Forwarded-Host: a forged header
// must not be able to point Loop's webhooks (and the customer data they carry) elsewhere.
import { ConfigError } from '../config/env.ts';

/** Public routes live under these prefixes; anything registered beneath them is rate-limited. */
export const webhooksPrefix = '/webhooks';
export const onboardingPrefix = '/onboarding';
/** The token-protected operators' API. */
export const adminPrefix = '/admin';

const withoutTrailingSlash = (url: string) => url.replace(/\/+$/, '');

/** Where Loop and merchants reach this gateway: PUBLIC_BASE_URL, which a gateway cannot run without. */
export function requirePublicBaseUrl(configured: string | undefined): string {
  if (configured !== undefined) return withoutTrailingSlash(configured);
  throw new ConfigError([
    'PUBLIC_BASE_URL: required outside demo mode. Set it to where Loop and merchants reach this gateway ' +
      '(e.g. https://returns.example.com): webhook and onboarding URLs are built on it, never on request headers',
  ]);
}

/** The path of an onboarding link, which carries its invite token. */
export const onboardingLinkPath = (token: string) => `${onboardingPrefix}/${encodeURIComponent(token)}`;

export const onboardingLinkUrl = (baseUrl: string, token: string) =>
  `${withoutTrailingSlash(baseUrl)}${onboardingLinkPath(token)}`;

/** Where Loop delivers a tenant's webhooks. */
export const loopWebhookUrl = (baseUrl: string, tenantId: string) =>
  `${withoutTrailingSlash(baseUrl)}${webhooksPrefix}/loop/${encodeURIComponent(tenantId)}`;

/** Path segments under the onboarding prefix that are never a link token. */
const onboardingWords = new Set([
  'assets',
  'onboarding.css',
  'onboarding.js',
  'tenant-id.js',
  'test',
  'returns',
]);

function decodeLoosely(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * A request path fit for logs and error messages: under the onboarding prefix, every segment that is not
 * one of the pages' own words is replaced by `[link]`, because it may be (or contain) a link's token —
 * whether or not a route matched, however the path is cased, encoded or slashed.
 */
export function maskLinkTokens(path: string): string {
  const decoded = decodeLoosely(path);
  const prefix = new RegExp(`^/+${onboardingPrefix.slice(1)}(?=/|$)`, 'i').exec(decoded);
  if (prefix === null) return path;
  const rest = decoded
    .slice(prefix[0].length)
    .split('/')
    .map((segment) => (segment === '' || onboardingWords.has(segment) ? segment : '[link]'));
  return `${onboardingPrefix}${rest.join('/')}`;
}

/** `text` with every segment `maskLinkTokens` would hide in `path`, raw or decoded, replaced by `[link]`. */
export function maskLinkTokensIn(text: string, path: string): string {
  if (maskLinkTokens(path) === path) return text;
  const secrets = new Set(
    [path, decodeLoosely(path)]
      .flatMap((form) => form.split('/'))
      .filter((segment) => segment !== '' && !onboardingWords.has(segment) && !/^onboarding$/i.test(segment)),
  );
  let masked = text;
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
    masked = masked.split(secret).join('[link]');
  }
  return masked;
}
