import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../config/env.ts';
import { StoreConnectionError } from '../../store/errors.ts';
import { openStore, openStoreFromEnv } from '../../store/open-store.ts';
import { SecretKeyError } from '../../store/secret-crypto.ts';
import { pgliteServerTarget } from './store-targets.ts';
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

describe('a database connection lost mid-query', () => {
  it('fails that query, not the process, and the next query gets a new connection', async () => {
    const database = await pgliteServerTarget();
    const target = new URL(database.databaseUrl);
    // A proxy in front of the database that resets the connection a query arrives on, while `cut` is set.
    let cut = false;
    const proxy = net.createServer((client) => {
      const server = net.connect(Number(target.port), target.hostname);
      client.on('data', (chunk) => {
        if (cut) {
          client.resetAndDestroy();
          server.destroy();
        } else server.write(chunk);
      });
      server.on('data', (chunk) => client.write(chunk));
      for (const socket of [client, server]) socket.on('error', () => undefined);
      client.on('close', () => server.destroy());
      server.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const { port } = proxy.address() as net.AddressInfo;
    const store = await openStore({
      databaseUrl: `postgres://postgres@127.0.0.1:${port}/postgres`,
      secretKey: randomBytes(32),
    });
    try {
      await store.createTenant(newTenant('reset-mid-query'));
      cut = true;
      await expect(store.listTenants()).rejects.toThrow(/ECONNRESET|terminated/);
      cut = false;
      expect((await store.listTenants()).map((t) => t.settings.tenantId)).toEqual(['reset-mid-query']);
    } finally {
      await store.close();
      await new Promise((resolve) => proxy.close(resolve));
      await database.dispose();
    }
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
