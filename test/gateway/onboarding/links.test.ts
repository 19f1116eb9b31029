import { Writable } from 'node:stream';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onboardingRoutes } from '../../../gateway/onboarding/routes.ts';
import { elements, startOnboardingWorld, textOf, type OnboardingWorld } from './world.ts';

let world: OnboardingWorld;

beforeAll(async () => {
  world = await startOnboardingWorld();
});
afterAll(() => world.close());

describe('onboarding links', () => {
  it('answers an unknown link with a page that says what to do', async () => {
    const response = await world.get('no-such-token');
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.body).toContain('Link not found');
    expect(response.body).toContain('Ask Loop for a new link');
  });

  it('answers an expired link with "ask Loop for a new link", for the form and the test page alike', async () => {
    const token = await world.newLink(-1_000);
    for (const suffix of ['', '/test', '/test/returns']) {
      const response = await world.get(token, suffix);
      expect(response.statusCode).toBe(410);
      expect(response.body).toContain('This link has expired');
      expect(response.body).toContain('Ask Loop for a new link');
    }
    const post = await world.post(token, { displayName: 'x' });
    expect(post.statusCode).toBe(410);
  });

  it('answers a revoked link likewise', async () => {
    const { invite, token } = await world.store.invites.create({ ttlMs: 3_600_000 });
    await world.store.invites.revoke(invite.id);
    const response = await world.get(token);
    expect(response.statusCode).toBe(410);
    expect(response.body).toContain('This link was withdrawn');
    expect(response.body).toContain('Ask Loop for a new link');
  });

  it('shows the empty form for a fresh link, uncached and without referrer', async () => {
    const token = await world.newLink();
    const response = await world.get(token);
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(elements(response.body, 'meta')).toContainEqual({ name: 'referrer', content: 'no-referrer' });
    expect(elements(response.body, 'form')[0]).toMatchObject({
      method: 'post',
      action: `/onboarding/${token}`,
    });
    for (const name of [
      'displayName',
      'tenantId',
      'finaleAccountName',
      'finaleApiKey',
      'finaleApiSecret',
      'destinationFacilityName',
      'loopApiKey',
      'loopWebhookSecret',
      'reason-label-2',
      'flagReasons',
    ]) {
      expect(response.body).toContain(`name="${name}"`);
    }
    const radios = elements(response.body, 'input').filter((input) => input.name === 'completionAction');
    expect(radios).toEqual([
      expect.objectContaining({ value: 'process', checked: '' }),
      expect.not.objectContaining({ checked: '' }),
    ]);
    const text = textOf(response.body);
    expect(text).toContain("Process it: issues the customer's refund, exchange or store credit");
    expect(text).toContain('Close it: closes the return without issuing refunds');
  });

  it('sends the test page back to the form until the link has set something up', async () => {
    const token = await world.newLink();
    const response = await world.get(token, '/test');
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe(`/onboarding/${token}`);
  });

  it('serves its stylesheet and scripts, and nothing else from the assets path', async () => {
    const css = await world.app.inject('/onboarding/assets/onboarding.css');
    expect(css.statusCode).toBe(200);
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    for (const script of ['onboarding.js', 'tenant-id.js']) {
      const js = await world.app.inject(`/onboarding/assets/${script}`);
      expect(js.statusCode).toBe(200);
      expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
      expect(js.headers['cache-control']).toBe('public, max-age=300');
    }
    expect((await world.app.inject('/onboarding/assets/..%2Fonboarding.ts')).statusCode).toBe(404);
  });

  it('loads its script as a module whose imports are all served beside it', async () => {
    const token = await world.newLink();
    const scripts = elements((await world.get(token)).body, 'script');
    expect(scripts).toEqual([{ type: 'module', src: '/onboarding/assets/onboarding.js' }]);
    const script = (await world.app.inject('/onboarding/assets/onboarding.js')).body;
    const imports = [...script.matchAll(/^import .* from '\.\/([^']+)';$/gm)].map((match) => match[1]);
    expect(imports).toEqual(['tenant-id.js']);
    for (const name of imports) {
      expect((await world.app.inject(`/onboarding/assets/${name}`)).statusCode).toBe(200);
    }
  });

  it('keeps the link token out of the request log', async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const fastify = Fastify({ logger: { level: 'info', stream } });
    await fastify.register(onboardingRoutes, {
      store: world.store,
      temporal: { client: world.temporal.client, taskQueue: world.taskQueue },
      env: world.env,
      publicBaseUrl: world.publicBaseUrl,
    });
    const token = await world.newLink();
    await fastify.inject({ method: 'GET', url: `/onboarding/${token}` });
    await fastify.inject({ method: 'GET', url: `/onboarding/${token}/test` });
    await fastify.close();
    const log = lines.join('');
    expect(log).toContain('"url":"/onboarding/[link]"');
    expect(log).toContain('"url":"/onboarding/[link]/test"');
    expect(log).not.toContain(token);
  });
});
