import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newTenant } from '../../store/tenant-fixture.ts';
import { adminToken, startOnboardingWorld, type OnboardingWorld } from '../onboarding/world.ts';

let world: OnboardingWorld;

beforeAll(async () => {
  world = await startOnboardingWorld({ publicBaseUrl: 'https://returns.example.com/bridge/' });
});
afterAll(() => world.close());

const auth = { authorization: `Bearer ${adminToken}` };

const createInvite = (payload: unknown, headers: Record<string, string> = auth) =>
  world.app.inject({ method: 'POST', url: '/admin/invites', headers, payload: payload as object });

describe('admin invite routes', () => {
  it('refuses requests without the admin token', async () => {
    expect((await createInvite({}, {})).statusCode).toBe(401);
    expect((await createInvite({}, { authorization: 'Bearer wrong-token' })).statusCode).toBe(401);
    const list = await world.app.inject({ method: 'GET', url: '/admin/invites' });
    expect(list.statusCode).toBe(401);
    expect(list.headers['www-authenticate']).toBe('Bearer');
  });

  it('creates a link under PUBLIC_BASE_URL that opens the form, valid for 72 hours by default', async () => {
    const before = Date.now();
    const response = await createInvite({ note: 'Acme Outdoor, via Jo' });
    expect(response.statusCode).toBe(201);
    const body = response.json<{ id: string; url: string; expiresAt: string }>();
    expect(body.url).toMatch(/^https:\/\/returns\.example\.com\/bridge\/onboarding\/[A-Za-z0-9_-]{43}$/);
    const expiresIn = Date.parse(body.expiresAt) - before;
    expect(expiresIn).toBeGreaterThan(72 * 3_600_000 - 60_000);
    expect(expiresIn).toBeLessThan(72 * 3_600_000 + 60_000);

    const page = await world.app.inject({
      method: 'GET',
      url: new URL(body.url).pathname.replace('/bridge', ''),
    });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Connect Finale Inventory to Loop');
  });

  it('takes an empty POST, JSON content type or not, as an invite with the defaults', async () => {
    for (const headers of [auth, { ...auth, 'content-type': 'application/json' }]) {
      const response = await world.app.inject({ method: 'POST', url: '/admin/invites', headers });
      expect(response.statusCode).toBe(201);
    }
  });

  it('takes a ttlHours up to 720 and explains anything else, in the admin API’s one error shape', async () => {
    const week = await createInvite({ ttlHours: 168 });
    expect(week.statusCode).toBe(201);
    expect(Date.parse(week.json<{ expiresAt: string }>().expiresAt) - Date.now()).toBeGreaterThan(
      167 * 3_600_000,
    );

    for (const [payload, message] of [
      [{ ttlHours: 721 }, 'ttlHours: ttlHours must be at most 720 (30 days)'],
      [{ ttlHours: 0 }, 'ttlHours: ttlHours must be more than 0'],
      [{ ttlHours: '72' }, 'ttlHours: ttlHours must be a number of hours'],
      [{ tllHours: 72 }, 'Unrecognized key: "tllHours"'],
    ] as const) {
      const response = await createInvite(payload);
      expect(response.statusCode).toBe(400);
      expect(response.json()).toEqual({
        error: 'Bad Request',
        message: 'Invalid request body.',
        issues: [message],
      });
    }
  });

  it('lists invites with their status but never their tokens', async () => {
    const created = (await createInvite({ note: 'listed' })).json<{ id: string; url: string }>();
    const token = created.url.split('/').pop()!;
    const response = await world.app.inject({ method: 'GET', url: '/admin/invites', headers: auth });
    expect(response.statusCode).toBe(200);
    const { invites } = response.json<{ invites: { id: string; status: string; note: string | null }[] }>();
    expect(invites.find((invite) => invite.id === created.id)).toMatchObject({
      status: 'open',
      note: 'listed',
    });
    expect(response.body).not.toContain(token);
  });

  it('revokes an invite, after which its link says so', async () => {
    const created = (await createInvite({})).json<{ id: string; url: string }>();
    const path = new URL(created.url).pathname.replace('/bridge', '');
    const revoke = await world.app.inject({
      method: 'DELETE',
      url: `/admin/invites/${created.id}`,
      headers: auth,
    });
    expect(revoke.statusCode).toBe(204);
    const again = await world.app.inject({
      method: 'DELETE',
      url: `/admin/invites/${created.id}`,
      headers: auth,
    });
    expect(again.statusCode).toBe(404);

    const page = await world.app.inject({ method: 'GET', url: path });
    expect(page.statusCode).toBe(410);
    expect(page.body).toContain('This link was withdrawn');
  });

  it('builds links on PUBLIC_BASE_URL whatever Host or X-Forwarded-Host says', async () => {
    const response = await world.app.inject({
      method: 'POST',
      url: '/admin/invites',
      headers: { ...auth, host: 'attacker.example', 'x-forwarded-host': 'attacker.example' },
      payload: {},
    });
    expect(response.json<{ url: string }>().url).toMatch(
      /^https:\/\/returns\.example\.com\/bridge\/onboarding\//,
    );
  });

  it('makes a change link for an existing tenant, and refuses an unknown or a demo tenant', async () => {
    const tenantId = `invite-change-${Date.now().toString(36)}`;
    await world.store.createTenant(newTenant(tenantId));
    const created = await createInvite({ tenantId, note: 'new Loop key' });
    expect(created.statusCode).toBe(201);
    const { id } = created.json<{ id: string }>();
    const list = await world.app.inject({ method: 'GET', url: '/admin/invites', headers: auth });
    expect(list.json<{ invites: unknown[] }>().invites).toContainEqual(
      expect.objectContaining({ id, kind: 'change', tenantId, status: 'open' }),
    );

    const unknown = await createInvite({ tenantId: 'no-such-tenant' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ message: 'No tenant "no-such-tenant".' });
    await world.store.markDemo(tenantId);
    const demo = await createInvite({ tenantId });
    expect(demo.statusCode).toBe(409);
  });
});
