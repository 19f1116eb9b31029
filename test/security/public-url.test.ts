// Issue 10, gap 2: webhook URLs came from the Host header when PUBLIC_BASE_URL was unset, and an invite link
// stayed usable for edits, with blank secret fields keeping the stored ones. So anyone holding a forwarded
// link could re-save with `Host: attacker.example`, and Loop would post returns (with customer PII) there.
// Now: no gateway runs without PUBLIC_BASE_URL outside demo mode, no URL is built from a request header, a
// link saves once, and changing a connected store needs an operator's new link and the Loop secrets again.
import { randomBytes } from 'node:crypto';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEnv } from '../../config/env.ts';
import { app } from '../../gateway/app.ts';
import type { TenantStore } from '../../store/tenant-store.ts';
import { projectRoot } from '../../temporal/binaries.ts';
import { validFields } from '../gateway/onboarding/world.ts';
import { runToExit } from '../support/busy-port.ts';
import { freePort } from '../support/free-port.ts';
import { stubTemporal } from './support/stub-temporal.ts';
import { PUBLIC_BASE_URL, startGatewayWorld, type GatewayWorld } from './support/gateway-world.ts';

const forged = {
  host: 'attacker.example',
  'x-forwarded-host': 'attacker.example',
  'x-forwarded-proto': 'https',
};
let world: GatewayWorld;

beforeAll(async () => {
  world = await startGatewayWorld({ env: { GATEWAY_TRUST_PROXY: '127.0.0.1' } });
});
afterAll(() => world?.close());

const subscribedUrls = () => [...new Set(world.webhooks().map((webhook) => webhook.url))];

describe('PUBLIC_BASE_URL', () => {
  it('is required: the gateway app refuses to start without it', async () => {
    const fastify = Fastify();
    try {
      await expect(
        fastify.register(app, {
          env: parseEnv({ LOG_LEVEL: 'silent' }),
          // Never reached: the app refuses before any route exists.
          store: {} as TenantStore,
          temporal: { client: stubTemporal().client, taskQueue: 'none' },
        }),
      ).rejects.toThrow(/PUBLIC_BASE_URL: required outside demo mode/);
    } finally {
      await fastify.close().catch(() => undefined);
    }
  });

  it('is required by the stand-alone gateway, which says so before it starts anything', async () => {
    const run = await runToExit(process.execPath, ['--import', 'tsx', 'gateway/main.ts'], {
      cwd: projectRoot,
      env: {
        ...process.env,
        TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}`,
        PUBLIC_BASE_URL: '',
        GATEWAY_PORT: String(await freePort()),
        DATA_DIR: `/tmp/never-created-${randomBytes(4).toString('hex')}`,
      },
      timeoutMs: 30_000,
    });
    expect(run.code).toBe(1);
    expect(run.output).toContain('PUBLIC_BASE_URL: required outside demo mode');
  });
});

describe('webhook and onboarding URLs', () => {
  it('are built on PUBLIC_BASE_URL whatever Host or X-Forwarded-Host a request carries', async () => {
    const tenantId = `url-${randomBytes(3).toString('hex')}`;
    const token = await world.newLink();
    const saved = await world.postForm(token, validFields(tenantId), forged);
    expect(saved.statusCode).toBe(303);
    expect(subscribedUrls()).toEqual([`${PUBLIC_BASE_URL}/webhooks/loop/${tenantId}`]);
    const page = await world.app.inject({ url: `/onboarding/${token}/test`, headers: forged });
    expect(page.body).toContain(`${PUBLIC_BASE_URL}/webhooks/loop/${tenantId}`);
    expect(page.body).not.toContain('attacker.example');
  });
});

describe('a forwarded link', () => {
  it('cannot re-save a connected store, with or without the secrets', async () => {
    const tenantId = `forwarded-${randomBytes(3).toString('hex')}`;
    const token = await world.newLink();
    expect((await world.postForm(token, validFields(tenantId))).statusCode).toBe(303);
    const before = world.webhooks().length;

    for (const fields of [
      {
        ...validFields(tenantId),
        finaleApiKey: '',
        finaleApiSecret: '',
        loopApiKey: '',
        loopWebhookSecret: '',
      },
      validFields(tenantId),
    ]) {
      const resave = await world.postForm(token, { ...fields, destinationFacilityName: 'Overflow' }, forged);
      expect(resave.statusCode).toBe(409);
      expect(resave.body).toContain('This link has been used');
    }
    expect(world.webhooks()).toHaveLength(before);
    expect((await world.store.getTenant(tenantId))?.settings.destinationFacilityName).toBe('Main Warehouse');
  });

  it('made by an operator to change a store, wants the Loop key and webhook secret before touching Loop', async () => {
    const tenantId = `change-${randomBytes(3).toString('hex')}`;
    expect((await world.postForm(await world.newLink(), validFields(tenantId))).statusCode).toBe(303);
    const token = await world.newLink(tenantId);
    const loopCalls = world.loop.state.calls.snapshot().total;

    const blank = await world.postForm(
      token,
      {
        ...validFields(tenantId),
        loopApiKey: '',
        loopWebhookSecret: '',
        destinationFacilityName: 'Overflow',
      },
      forged,
    );
    expect(blank.statusCode).toBe(422);
    expect(blank.body).toContain('Type your Loop API key again');
    expect(blank.body).toContain('Type your Loop webhook secret again');
    expect(world.loop.state.calls.snapshot().total).toBe(loopCalls);

    const retyped = await world.postForm(token, {
      ...validFields(tenantId),
      destinationFacilityName: 'Overflow',
    });
    expect(retyped.statusCode).toBe(303);
    const tenant = await world.store.getTenant(tenantId);
    expect(tenant?.settings.destinationFacilityName).toBe('Overflow');
    const lookup = await world.store.invites.lookup(token);
    expect(tenant?.settingsChangedVia).toBe(lookup.status === 'valid' ? lookup.invite.id : 'unknown');
    const page = await world.app.inject({ url: `/onboarding/${token}/test` });
    expect(page.body).toMatch(
      /Last changed<\/dt>\s*<dd id="last-change">\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC, through this link/,
    );
  });
});
