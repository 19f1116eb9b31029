// Issue 10, gap 4: under /onboarding/ (a trailing slash, say) the invite token was logged and echoed in the
// 404 body. Now every path under /onboarding, matched or not, however it is cased, encoded or slashed, has
// its link token masked in the request log and in every error body.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayWorld, type GatewayWorld } from './support/gateway-world.ts';

let world: GatewayWorld;
let token: string;

beforeAll(async () => {
  world = await startGatewayWorld();
  token = await world.newLink();
});
afterAll(() => world?.close());

/** Requests a merchant, a crawler or an attacker may make with a link's token in the path. */
const requests = () =>
  [
    { method: 'GET', url: `/onboarding/${token}` },
    { method: 'GET', url: `/onboarding/${token}/` },
    { method: 'GET', url: `/onboarding//${token}` },
    { method: 'GET', url: `/onboarding/${token}/test/` },
    { method: 'GET', url: `/onboarding/${token}/nothing-here` },
    { method: 'GET', url: `/Onboarding/${token}` },
    { method: 'GET', url: `/%6Fnboarding/${token}` },
    { method: 'GET', url: `/onboarding%2F${token}` },
    { method: 'GET', url: `/onboarding/${token}%zz` },
    { method: 'GET', url: `/onboarding/${token}${'x'.repeat(200)}` },
    { method: 'GET', url: `/onboarding/${token}?utm_source=mail` },
    { method: 'PUT', url: `/onboarding/${token}` },
    { method: 'DELETE', url: `/onboarding/${token}/test` },
    { method: 'POST', url: `/onboarding/${token}/test` },
  ] as const;

describe('an onboarding link’s token', () => {
  it('is in no error answer to any request under /onboarding, matched or not', async () => {
    let errors = 0;
    for (const request of requests()) {
      const response = await world.app.inject(request);
      const what = `${request.method} ${request.url}`;
      expect(response.statusCode, what).toBeLessThan(500);
      // The form itself posts back to its own link; every refusal keeps the token to itself.
      if (response.statusCode < 400) continue;
      errors++;
      expect(JSON.stringify({ headers: response.headers, body: response.body }), what).not.toContain(token);
    }
    // All but the link itself, with a query string, and with its prefix percent-encoded: those are the form.
    expect(errors).toBe(requests().length - 3);
  });

  it('is in no log line, over inject or real HTTP', async () => {
    for (const request of requests()) {
      await world.app.inject(request);
      await fetch(`${world.url}${request.url}`, { method: request.method }).catch(() => undefined);
    }
    const log = world.log();
    expect(log).toContain('"url":"/onboarding/[link]/"');
    expect(log).not.toContain(token);
  });
});
