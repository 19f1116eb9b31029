import { inspect } from 'node:util';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { ConfigError, type Env } from '../config/env.ts';
import type { Logger } from '../observability/logger.ts';
import type { Database } from './database.ts';
import { type EmbeddedPostgres, embeddedStorePath, startEmbeddedPostgres } from './embedded-postgres.ts';
import { StoreConnectionError } from './errors.ts';
import { migrateToLatest } from './migrations.ts';
import { decryptSecret, encryptSecret, SecretDecryptionError, SecretKeyError } from './secret-crypto.ts';
import { loadOrCreateSecretKey } from './secret-key.ts';
import { createTenantStore, type TenantStore } from './tenant-store.ts';

export interface OpenStoreOptions {
  /** A PostgreSQL server. When set, `dataDir` is ignored. */
  databaseUrl?: string;
  /** The service's data folder; the embedded database lives in `<dataDir>/tenant-store`. Unset = in memory. */
  dataDir?: string;
  /** 32-byte AES-256-GCM key for tenant secrets (see `loadOrCreateSecretKey`). */
  secretKey: Buffer;
  /** Told about failures of idle pooled connections, which `pg` then replaces. */
  logger?: Pick<Logger, 'warn'>;
}

const keyCheck = {
  key: 'secret-key-check',
  plaintext: 'loop-finale tenant store',
  context: 'store_meta/secret-key-check',
};

/**
 * Fails at start-up, rather than at the first return, when the configured key is not the one the store's
 * secrets were written with. The first process to open a store records its check value.
 */
async function verifySecretKey(db: Kysely<Database>, secretKey: Buffer): Promise<void> {
  await db
    .insertInto('store_meta')
    .values({ key: keyCheck.key, value: encryptSecret(secretKey, keyCheck.plaintext, keyCheck.context) })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
  const { value } = await db
    .selectFrom('store_meta')
    .select('value')
    .where('key', '=', keyCheck.key)
    .executeTakeFirstOrThrow();
  try {
    decryptSecret(secretKey, value, keyCheck.context);
  } catch (error) {
    if (!(error instanceof SecretDecryptionError)) throw error;
    throw new SecretKeyError(
      `The secret key does not match this tenant store, so tenant secrets cannot be read. ${error.message}`,
      { cause: error },
    );
  }
}

/** Where the store lives, for error messages: never includes a password. */
function describeDatabase({ databaseUrl, dataDir }: OpenStoreOptions): string {
  if (databaseUrl === undefined) {
    return dataDir === undefined ? 'embedded, in memory' : `embedded, in ${embeddedStorePath(dataDir)}`;
  }
  try {
    const url = new URL(databaseUrl);
    url.password = '';
    return url.toString();
  } catch {
    return 'the configured DATABASE_URL';
  }
}

/** Tells an unreachable database or refused login apart from a failed migration. */
async function checkConnection(db: Kysely<Database>, options: OpenStoreOptions): Promise<void> {
  try {
    await sql`SELECT 1`.execute(db);
  } catch (error) {
    const reason = error instanceof Error ? error.message : inspect(error);
    throw new StoreConnectionError(
      `Cannot reach the tenant store database (${describeDatabase(options)}): ${reason}`,
      { cause: error },
    );
  }
}

/** Opens the tenant store (a real server when `databaseUrl` is set, else embedded PGlite) and migrates it. */
export async function openStore(options: OpenStoreOptions): Promise<TenantStore> {
  if (options.secretKey.length !== 32) {
    throw new SecretKeyError(`The tenant store secret key must be 32 bytes, got ${options.secretKey.length}`);
  }
  let embedded: EmbeddedPostgres | undefined;
  let pool: pg.Pool;
  if (options.databaseUrl !== undefined) {
    // A bounded connect wait, so an unreachable server fails start-up instead of hanging it.
    pool = new pg.Pool({ connectionString: options.databaseUrl, connectionTimeoutMillis: 10_000 });
  } else {
    embedded = await startEmbeddedPostgres({ dataDir: options.dataDir });
    // PGlite is one connection; keep it open rather than reconnecting after idle periods.
    pool = new pg.Pool({
      host: embedded.host,
      port: embedded.port,
      user: 'postgres',
      database: 'postgres',
      max: 1,
      idleTimeoutMillis: 0,
    });
  }
  // Without a listener, an idle connection dropped by the server would crash the process.
  pool.on('error', (error) =>
    options.logger?.warn({ err: error }, 'tenant store: idle database connection failed'),
  );
  // The pool listens to idle connections only: one that fails while a query holds it (a reset socket, a
  // restarted server) would crash the process too. The query fails with the same error, and the pool drops
  // the connection when it is released.
  pool.on('connect', (client) => client.on('error', () => undefined));

  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      await db.destroy();
      await embedded?.stop();
    })());

  try {
    await checkConnection(db, options);
    await migrateToLatest(db);
    await verifySecretKey(db, options.secretKey);
  } catch (error) {
    await close();
    throw error;
  }
  return createTenantStore(db, options.secretKey, close);
}

/**
 * Opens the store the environment describes. A real database is shared by every gateway and worker, so it
 * needs SECRETS_KEY: a key generated per machine would differ between them.
 */
export async function openStoreFromEnv(
  env: Pick<Env, 'DATABASE_URL' | 'SECRETS_KEY' | 'DATA_DIR'>,
  logger?: Pick<Logger, 'warn'>,
): Promise<TenantStore> {
  if (env.DATABASE_URL !== undefined && env.SECRETS_KEY === undefined) {
    throw new ConfigError([
      'SECRETS_KEY: required when DATABASE_URL is set, so every process uses the same key ' +
        '(generate one with: openssl rand -base64 32)',
    ]);
  }
  return openStore({
    databaseUrl: env.DATABASE_URL,
    dataDir: env.DATA_DIR,
    secretKey: await loadOrCreateSecretKey(env.DATA_DIR, env.SECRETS_KEY),
    logger,
  });
}
