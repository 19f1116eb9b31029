import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import pg from 'pg';
import { embeddedStorePath } from '../../store/embedded-postgres.ts';
import { openStore } from '../../store/open-store.ts';
import type { TenantStore } from '../../store/tenant-store.ts';

/** One database the same store suite runs against, reopenable and inspectable underneath the store. */
export interface StoreTarget {
  open(secretKey: Buffer): Promise<TenantStore>;
  /** Plain SQL on the database itself. For PGlite, the store must be closed first (one connection). */
  raw(text: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
  dispose(): Promise<void>;
}

/** A target other processes can open too. */
export interface SharedStoreTarget extends StoreTarget {
  databaseUrl: string;
}

/** A database URL's store target: the store opened on it, and plain SQL over a connection of its own. */
function urlTarget(databaseUrl: string, dispose: () => Promise<void>): SharedStoreTarget {
  return {
    databaseUrl,
    open: (secretKey) => openStore({ databaseUrl, secretKey }),
    async raw(text, params) {
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      try {
        return (await client.query<Record<string, unknown>>(text, params)).rows;
      } finally {
        await client.end();
      }
    },
    dispose,
  };
}

/**
 * In-memory PGlite served on a loopback port to many connections at once (pglite-socket multiplexes them
 * over its one session, keeping each transaction whole), so several processes can share one embedded store.
 */
export async function pgliteServerTarget(): Promise<SharedStoreTarget> {
  const db = await PGlite.create();
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 64 });
  await server.start();
  const port = Number(server.getServerConn().split(':').pop());
  return urlTarget(`postgres://postgres@127.0.0.1:${port}/postgres`, async () => {
    await server.stop();
    await db.close();
  });
}

/**
 * Embedded PGlite persisting to a fresh data directory, its database files made here from the run's initdb
 * template (test/setup/pglite.ts) rather than by the store's initdb in a child process, which open-store's
 * suite covers.
 */
export async function pgliteTarget(): Promise<StoreTarget> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'tenant-store-'));
  await (await PGlite.create({ dataDir: embeddedStorePath(dataDir) })).close();
  return {
    open: (secretKey) => openStore({ dataDir, secretKey }),
    async raw(text, params) {
      const db = await PGlite.create({ dataDir: embeddedStorePath(dataDir) });
      try {
        return (await db.query<Record<string, unknown>>(text, params)).rows;
      } finally {
        await db.close();
      }
    },
    dispose: () => rm(dataDir, { recursive: true, force: true }),
  };
}

/**
 * A throw-away database on the PostgreSQL server at `adminUrl` (its role needs CREATEDB), so runs never
 * see each other's tables, even in parallel against one server.
 */
export async function postgresTarget(adminUrl: string): Promise<SharedStoreTarget> {
  const name = `tenant_store_test_${randomBytes(6).toString('hex')}`;
  const admin = async (text: string) => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    try {
      await client.query(text);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();
  return urlTarget(databaseUrl, () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
}
