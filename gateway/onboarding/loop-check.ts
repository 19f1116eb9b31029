import { AuthenticationError, isApiError, RetryableApiError } from '../../integrations/errors.ts';
import { LoopClient, type LoopDestination } from '../../integrations/loop/client.ts';
import { loopScopes, type LoopScope } from '../../integrations/loop/scopes.ts';
import type { FieldErrors } from './form.ts';

export interface LoopCheckInput {
  baseUrl: string;
  apiVersion: string;
  apiKey: string;
}

export interface LoopCheck {
  errors: FieldErrors;
  formErrors: string[];
  /** The shop's destinations, once Loop answered the Destinations (Read) probe. */
  destinations?: LoopDestination[];
}

const TIMEOUT_MS = 10_000;
const developerTools = 'Loop Admin → Returns management → Tools & integrations → Developer tools';

/**
 * Loop answers a bad key and a key missing a scope with the same 401, so each scope gets its own cheap
 * read: all three refused means the key itself is wrong; some refused names the missing scopes.
 */
export async function checkLoop(input: LoopCheckInput): Promise<LoopCheck> {
  const client = new LoopClient({
    apiKey: input.apiKey,
    baseUrl: input.baseUrl,
    apiVersion: input.apiVersion,
    timeoutMs: TIMEOUT_MS,
  });
  const now = Date.now();
  const destinationsRead: Promise<LoopDestination[]> = client.listDestinations();
  const probes: [LoopScope, () => Promise<unknown>][] = [
    // The last minute of returns: one small page whatever the shop's size.
    [
      loopScopes.returns,
      () => client.listReturnsUpdated({ from: new Date(now - 60_000), to: new Date(now) }),
    ],
    [loopScopes.developerTools, () => client.listWebhooks()],
    [loopScopes.destinationsRead, () => destinationsRead],
  ];
  const results = await Promise.allSettled(probes.map(([, probe]) => probe()));
  // The scope probe's answer doubles as the list the destination mapping offers.
  const destinations = await destinationsRead.catch(() => undefined);

  const missing: LoopScope[] = [];
  let unreachable = false;
  let unexpected = false;
  results.forEach((result, index) => {
    if (result.status === 'fulfilled') return;
    const error: unknown = result.reason;
    if (error instanceof AuthenticationError) missing.push(probes[index]![0]);
    else if (error instanceof RetryableApiError) unreachable = true;
    else if (isApiError(error)) unexpected = true;
    else throw error;
  });

  const errors: FieldErrors = {};
  if (missing.length === probes.length) {
    errors.loopApiKey =
      `Loop did not accept this API key. Copy it again from ${developerTools}, and check there that it is ` +
      'still active and has the scopes Returns, Developer Tools and Destinations (Read).';
  } else if (missing.length > 0) {
    const names = missing.map((scope) => `“${scope}”`).join(' and ');
    errors.loopApiKey =
      `This key is missing the ${names} scope${missing.length > 1 ? 's' : ''}. In ${developerTools}, ` +
      'give the key the scopes Returns, Developer Tools and Destinations (Read), or generate a new key with all three.';
  }
  const formErrors: string[] = [];
  if (unreachable) {
    formErrors.push(
      'We could not reach Loop just now, so your Loop API key could not be fully checked. Please try again in a minute.',
    );
  } else if (unexpected) {
    formErrors.push(
      'Loop gave an answer we did not expect, so your Loop API key could not be fully checked. Please try again; ' +
        'if it keeps happening, email support@loopreturns.com.',
    );
  }
  return { errors, formErrors, destinations };
}
