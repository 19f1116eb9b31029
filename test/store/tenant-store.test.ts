import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TenantSettingsError } from '../../config/tenant-settings.ts';
import { TenantExistsError, TenantNotFoundError } from '../../store/errors.ts';
import { InviteUsedError } from '../../store/invite-store.ts';
import { SecretDecryptionError, SecretKeyError } from '../../store/secret-crypto.ts';
import type { TenantStore } from '../../store/tenant-store.ts';
import { realPostgres } from './real-postgres.ts';
import { pgliteTarget, postgresTarget, type StoreTarget } from './store-targets.ts';
import { newTenant } from './tenant-fixture.ts';

const postgres = await realPostgres();

function storeSuite(makeTarget: () => Promise<StoreTarget>) {
  const key = randomBytes(32);
  let target: StoreTarget;
  let store: TenantStore;

  beforeAll(async () => {
    target = await makeTarget();
    store = await target.open(key);
  });
  afterAll(async () => {
    await store?.close();
    await target?.dispose();
  });

  /** Runs `fn` with the store closed (PGlite has a single connection), then reopens it. */
  async function withStoreClosed<T>(fn: () => Promise<T>): Promise<T> {
    await store.close();
    try {
      return await fn();
    } finally {
      store = await target.open(key);
    }
  }

  it('creates a tenant and reads back its settings, with defaults, and its decrypted secrets', async () => {
    const input = newTenant('create');
    const created = await store.createTenant(input);
    expect(created.settings).toMatchObject({
      ...input.settings,
      completionAction: 'process',
      orderIdForms: ['name', 'number', 'hash-number'],
      orderMissingWindowMs: 72 * 3_600_000,
      paused: false,
    });
    expect(created.settings).not.toHaveProperty('finaleApiKey');
    expect(created.createdAt).toBeInstanceOf(Date);
    expect(await store.getTenant('create')).toEqual(created);
    expect(await store.getTenantSecrets('create')).toEqual(input.secrets);
  });

  it('refuses a second tenant with the same ID', async () => {
    await store.createTenant(newTenant('taken'));
    await expect(store.createTenant(newTenant('taken'))).rejects.toThrow(TenantExistsError);
  });

  it('rejects invalid input with every problem listed and stores nothing', async () => {
    const input = newTenant('invalid');
    input.settings.finaleAccountName = 'Demo Account';
    input.secrets.loopApiKey = '';
    const error = (await store.createTenant(input).catch((e: unknown) => e)) as TenantSettingsError;
    expect(error).toBeInstanceOf(TenantSettingsError);
    expect(error.problems.map((p) => p.path).sort()).toEqual([
      'secrets.loopApiKey',
      'settings.finaleAccountName',
    ]);
    expect(await store.getTenant('invalid')).toBeUndefined();
  });

  it('updates settings by validating the merged result', async () => {
    const created = await store.createTenant(newTenant('update'));
    const updated = await store.updateSettings('update', {
      completionAction: 'close',
      sweeperIntervalMs: '10m',
      flagReasons: undefined,
    });
    expect(updated.settings).toMatchObject({
      completionAction: 'close',
      sweeperIntervalMs: 600_000,
      flagReasons: [],
      reasonMap: created.settings.reasonMap,
    });
    expect(updated.createdAt).toEqual(created.createdAt);
    expect(updated.updatedAt.getTime()).toBeGreaterThanOrEqual(created.updatedAt.getTime());

    await expect(store.updateSettings('update', { reasonMap: { Damaged: '3' } })).rejects.toThrow(
      /reasonMap\.Damaged: Finale reason ID must look like "##user_00003"/,
    );
    expect(await store.getTenant('update')).toEqual(updated);
    await expect(store.updateSettings('nobody', { displayName: 'x' })).rejects.toThrow(TenantNotFoundError);
  });

  it('replaces some secrets and keeps the others', async () => {
    const input = newTenant('rotate');
    await store.createTenant(input);
    await store.updateSecrets('rotate', { finaleApiSecret: 'new-secret' });
    expect(await store.getTenantSecrets('rotate')).toEqual({
      ...input.secrets,
      finaleApiSecret: 'new-secret',
    });
    await expect(store.updateSecrets('rotate', { loopApiKey: ' ' })).rejects.toThrow(
      /Loop API key is required/,
    );
  });

  it('upserts settings and secrets, leaving a paused tenant paused unless told otherwise', async () => {
    const input = newTenant('upsert');
    await store.upsertTenant(input);
    await store.pauseTenant('upsert');
    input.settings.displayName = 'Renamed';
    input.secrets.loopApiKey = 'rotated-loop-key';
    const replaced = await store.upsertTenant(input);
    expect(replaced.settings).toMatchObject({ displayName: 'Renamed', paused: true });
    expect((await store.getTenantSecrets('upsert')).loopApiKey).toBe('rotated-loop-key');
    input.settings.paused = false;
    expect((await store.upsertTenant(input)).settings.paused).toBe(false);
  });

  it('pauses and resumes', async () => {
    await store.createTenant(newTenant('pausing'));
    expect((await store.pauseTenant('pausing')).settings.paused).toBe(true);
    expect((await store.getTenant('pausing'))?.settings.paused).toBe(true);
    expect((await store.resumeTenant('pausing')).settings.paused).toBe(false);
    await expect(store.pauseTenant('nobody')).rejects.toThrow(/No tenant "nobody"/);
  });

  it('lists tenants in ID order', async () => {
    for (const id of ['list-c', 'list-a', 'list-b']) await store.createTenant(newTenant(id));
    const ids = (await store.listTenants()).map((t) => t.settings.tenantId);
    expect(ids.filter((id) => id.startsWith('list-'))).toEqual(['list-a', 'list-b', 'list-c']);
  });

  it('deletes a tenant and its secrets', async () => {
    await store.createTenant(newTenant('deleting'));
    expect(await store.deleteTenant('deleting')).toBe(true);
    expect(await store.deleteTenant('deleting')).toBe(false);
    expect(await store.getTenant('deleting')).toBeUndefined();
    await expect(store.getTenantSecrets('deleting')).rejects.toThrow(TenantNotFoundError);
  });

  it('keeps everything across close and reopen, running each migration once', async () => {
    const input = newTenant('persist');
    const created = await store.createTenant(input);
    await store.close();
    await store.close(); // idempotent, for shutdown handlers that may race
    store = await target.open(key);
    expect(await store.getTenant('persist')).toEqual(created);
    expect(await store.getTenantSecrets('persist')).toEqual(input.secrets);

    const migrations = await withStoreClosed(() => target.raw('SELECT name FROM tenant_store_migration'));
    expect(migrations).toEqual([
      { name: '0001-tenants' },
      { name: '0002-invites' },
      { name: '0003-api-budgets' },
      { name: '0004-demo-tenants-and-change-links' },
    ]);
  });

  it('stores secrets only as ciphertext', async () => {
    const input = newTenant('at-rest');
    await store.createTenant(input);
    const [row] = await withStoreClosed(() => target.raw("SELECT * FROM tenants WHERE id = 'at-rest'"));
    const raw = JSON.stringify(row);
    for (const secret of Object.values(input.secrets)) expect(raw).not.toContain(secret);
    expect(raw).not.toContain('PLAINTEXT');
    expect(row?.secrets).toMatch(/^v1:\w+:/);
    expect(row?.settings).toMatchObject({ displayName: 'Shop at-rest', finaleAccountName: 'demoaccount' });
    expect(row?.settings).not.toHaveProperty('tenantId');
  });

  it("refuses one tenant's secrets copied onto another tenant's row", async () => {
    await store.createTenant(newTenant('victim'));
    await store.createTenant(newTenant('attacker'));
    await withStoreClosed(() =>
      target.raw(
        "UPDATE tenants SET secrets = (SELECT secrets FROM tenants WHERE id = 'victim') WHERE id = 'attacker'",
      ),
    );
    await expect(store.getTenantSecrets('attacker')).rejects.toThrow(SecretDecryptionError);
    expect((await store.getTenantSecrets('victim')).loopApiKey).toBe('PLAINTEXT-loop-key-victim');
  });

  it('refuses to open with another secret key, and still opens with the right one', async () => {
    await store.createTenant(newTenant('keyed'));
    await store.close();
    try {
      await expect(target.open(randomBytes(32))).rejects.toThrow(
        expect.objectContaining({
          name: SecretKeyError.name,
          message: expect.stringMatching(
            /secret key does not match this tenant store.*set SECRETS_KEY/,
          ) as string,
        }),
      );
    } finally {
      store = await target.open(key);
    }
    expect((await store.getTenantSecrets('keyed')).finaleApiKey).toBe('PLAINTEXT-finale-key-keyed');
  });

  it('names the tenant whose stored settings are invalid, and ignores fields from newer releases', async () => {
    await store.createTenant(newTenant('stored'));
    await withStoreClosed(() =>
      target.raw(`UPDATE tenants SET settings = settings || '{"addedLater": 1}' WHERE id = 'stored'`),
    );
    expect((await store.getTenant('stored'))?.settings).not.toHaveProperty('addedLater');

    await withStoreClosed(() =>
      target.raw(
        `UPDATE tenants SET settings = settings || '{"completionAction": "refund"}' WHERE id = 'stored'`,
      ),
    );
    await expect(store.getTenant('stored')).rejects.toThrow(
      /Stored settings of tenant "stored" are invalid:\n {2}- completionAction:/,
    );
    expect(await store.deleteTenant('stored')).toBe(true);
  });

  it('keeps only a hash of an invite token, and a link creates at most one tenant, used once', async () => {
    const { invite, token } = await store.invites.create({ ttlMs: 60_000, note: 'Acme', createdBy: 'ops' });
    expect(invite.kind).toBe('create');
    expect(await store.invites.lookup(token)).toMatchObject({ status: 'valid', invite: { id: invite.id } });
    expect(await store.invites.lookup(`${token}x`)).toEqual({ status: 'unknown' });
    const rows = await withStoreClosed(() => target.raw('SELECT token_hash FROM invites'));
    expect(JSON.stringify(rows)).not.toContain(token);

    const bound = await store.invites.bindTenant(token, 'acme');
    expect(bound).toMatchObject({ tenantId: 'acme' });
    expect(bound.usedAt).toBeUndefined();
    await expect(store.invites.bindTenant(token, 'acme')).resolves.toMatchObject({ tenantId: 'acme' });
    await expect(store.invites.bindTenant(token, 'other')).rejects.toThrow(InviteUsedError);
    await store.invites.markUsed(invite.id);
    expect(await store.invites.lookup(token)).toMatchObject({
      invite: { usedAt: expect.any(Date) as unknown },
    });

    const change = await store.invites.create({ ttlMs: 60_000, tenantId: 'acme' });
    expect(change.invite).toMatchObject({ kind: 'change', tenantId: 'acme' });
  });

  it('records when settings changed and through which link, and marks demo tenants', async () => {
    const created = await store.createTenant(newTenant('provenance'), { inviteId: 'invite-1' });
    expect(created).toMatchObject({ demo: false, settingsChangedVia: 'invite-1' });
    const paused = await store.pauseTenant('provenance');
    expect(paused.settingsChangedAt).toEqual(created.settingsChangedAt);
    const replaced = await store.replaceTenant(newTenant('provenance'), { inviteId: 'invite-2' });
    expect(replaced.settingsChangedVia).toBe('invite-2');
    expect(replaced.settings.paused).toBe(true);
    await store.updateSecrets('provenance', { loopApiKey: 'rotated' });
    const updated = await store.getTenant('provenance');
    expect(updated?.settingsChangedVia).toBeUndefined();
    expect(updated!.settingsChangedAt.getTime()).toBeGreaterThanOrEqual(replaced.settingsChangedAt.getTime());
    await expect(store.replaceTenant(newTenant('never-created'))).rejects.toThrow(TenantNotFoundError);
    expect(await store.getTenant('never-created')).toBeUndefined();

    expect((await store.markDemo('provenance')).demo).toBe(true);
    expect((await store.upsertTenant(newTenant('provenance'))).demo).toBe(true);
  });

  it('reports expired and revoked invites as such', async () => {
    const expired = await store.invites.create({ ttlMs: -1 });
    expect((await store.invites.lookup(expired.token)).status).toBe('expired');
    const revoked = await store.invites.create({ ttlMs: 60_000 });
    expect(await store.invites.revoke(revoked.invite.id)).toBe(true);
    expect(await store.invites.revoke(revoked.invite.id)).toBe(false);
    expect((await store.invites.lookup(revoked.token)).status).toBe('revoked');
    expect((await store.invites.list()).map((i) => i.id)).toEqual(
      expect.arrayContaining([expired.invite.id, revoked.invite.id]),
    );
  });
}

describe('tenant store on embedded PGlite', () => storeSuite(pgliteTarget));

describe.skipIf(!postgres.url)(`tenant store on PostgreSQL (${postgres.source})`, () =>
  storeSuite(() => postgresTarget(postgres.url!)),
);
