import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../config/env.ts';
import { StoreConnectionError } from '../../store/errors.ts';
import { openStore, openStoreFromEnv } from '../../store/open-store.ts';
import { SecretKeyError } from '../../store/secret-crypto.ts';
import { newTenant } from './tenant-fixture.ts';

describe('openStore', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'open-store-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('keeps an embedded store without a data folder in memory only', async () => {
    const secretKey = randomBytes(32);
    const first = await openStore({ secretKey });
    await first.createTenant(newTenant('ephemeral'));
    expect(await first.getTenant('ephemeral')).toBeDefined();
    await first.close();

    const second = await openStore({ secretKey });
    expect(await second.listTenants()).toEqual([]);
    await second.close();
  });

  it('refuses a key that is not 32 bytes before touching any database', async () => {
    await expect(openStore({ secretKey: randomBytes(16), dataDir: dir })).rejects.toThrow(SecretKeyError);
    expect(await readdir(dir)).toEqual([]);
  });

  it('says which database it cannot reach, without its password', async () => {
    const error = await openStore({
      databaseUrl: 'postgres://store:hunter2@127.0.0.1:1/tenants',
      secretKey: randomBytes(32),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreConnectionError);
    expect((error as Error).message).toMatch(
      /^Cannot reach the tenant store database \(postgres:\/\/store@127\.0\.0\.1:1\/tenants\): .*ECONNREFUSED/,
    );
    expect((error as Error).message).not.toContain('hunter2');
  });
});

describe('openStoreFromEnv', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'open-store-env-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('runs embedded in DATA_DIR with a key it generates and keeps there', async () => {
    const dataDir = path.join(dir, 'nested', '.data');
    const env = { DATA_DIR: dataDir, DATABASE_URL: undefined, SECRETS_KEY: undefined };
    const store = await openStoreFromEnv(env);
    await store.createTenant(newTenant('embedded'));
    await store.close();
    expect((await readdir(dataDir)).sort()).toEqual(['secrets.key', 'tenant-store']);

    const reopened = await openStoreFromEnv(env);
    expect((await reopened.getTenantSecrets('embedded')).loopApiKey).toBe('PLAINTEXT-loop-key-embedded');
    await reopened.close();
  });

  it('requires SECRETS_KEY with DATABASE_URL, since every process must share one key', async () => {
    const env = { DATA_DIR: dir, DATABASE_URL: 'postgres://localhost/store', SECRETS_KEY: undefined };
    await expect(openStoreFromEnv(env)).rejects.toThrow(ConfigError);
    await expect(openStoreFromEnv(env)).rejects.toThrow(/SECRETS_KEY: required when DATABASE_URL is set/);
  });
});
