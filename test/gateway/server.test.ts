import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway } from '../../gateway/server.ts';
import { createLogger } from '../../observability/logger.ts';
import { openStore } from '../../store/open-store.ts';
import type { TenantStore } from '../../store/tenant-store.ts';
import { newTenant } from '../store/tenant-fixture.ts';
import { connectToDevServer, uniqueTaskQueue } from '../support/temporal.ts';
import { ADMIN_TOKEN, loopReturns, sign, testEnv } from './gateway-fixture.ts';

describe('gateway server', () => {
  const tenantId = `server-${randomBytes(3).toString('hex')}`;
  const lines: string[] = [];
  let dev: Awaited<ReturnType<typeof connectToDevServer>>;
  let store: TenantStore;
  let gateway: Awaited<ReturnType<typeof startGateway>>;

  beforeAll(async () => {
    dev = await connectToDevServer();
    store = await openStore({ secretKey: randomBytes(32) });
    await store.createTenant(newTenant(tenantId));
    gateway = await startGateway({
      host: '127.0.0.1',
      port: 0,
      logger: createLogger({ level: 'info' }, { write: (line: string) => void lines.push(line) }),
      env: testEnv({ GATEWAY_TRUST_PROXY: '127.0.0.1' }),
      store,
      temporal: { client: dev.client, taskQueue: uniqueTaskQueue('server') },
    });
  });

  afterAll(async () => {
    await gateway?.server.close();
    await store?.close();
    await dev?.close();
  });

  it('logs requests without signatures, tokens, bodies or query strings', async () => {
    const { body, rendered } = loopReturns().webhook();
    const signature = sign(body, newTenant(tenantId).secrets.loopWebhookSecret);
    const webhook = await fetch(`${gateway.url}/webhooks/loop/${tenantId}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-loop-signature': signature },
      body,
    });
    expect(webhook.status).toBe(202);
    const bad = await fetch(`${gateway.url}/webhooks/loop/${tenantId}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-loop-signature': 'bm90IHRoZSBzaWduYXR1cmU=' },
      body: '{"secret-looking": "BODY-MARKER"}',
    });
    expect(bad.status).toBe(401);
    const admin = await fetch(`${gateway.url}/admin/tenants`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(admin.status).toBe(200);
    expect((await fetch(`${gateway.url}/healthz?token=QUERY-SECRET`)).status).toBe(200);

    const log = lines.join('');
    expect(log).toContain(`"url":"/webhooks/loop/${tenantId}"`);
    expect(log).toContain('"outcome":"started"');
    expect(log).toContain('"outcome":"bad-signature"');
    expect(lines.filter((line) => line.includes('/webhooks/loop/'))).toHaveLength(2);
    expect(log).toContain('"url":"/healthz"');
    for (const secret of [
      signature,
      'bm90IHRoZSBzaWduYXR1cmU=',
      ADMIN_TOKEN,
      'BODY-MARKER',
      'QUERY-SECRET',
      String(rendered.customer),
    ]) {
      expect(log).not.toContain(secret);
    }
  });

  it('takes the client address from a trusted proxy', async () => {
    lines.length = 0;
    await fetch(`${gateway.url}/healthz`, { headers: { 'x-forwarded-for': '203.0.113.7' } });
    expect(lines.join('')).toContain('"remoteAddress":"203.0.113.7"');
  });
});
