import { inspect } from 'node:util';
import { type Kysely, type Migration, Migrator, sql } from 'kysely';
import type { Database } from './database.ts';

/**
 * Every schema change, in order, for PGlite and PostgreSQL alike. Append new entries; never edit one that
 * has shipped, since deployed stores have already run it.
 */
const migrations: Record<string, Migration> = {
  '0001-tenants': {
    async up(db) {
      await db.schema
        .createTable('tenants')
        .addColumn('id', 'text', (col) => col.primaryKey())
        .addColumn('settings', 'jsonb', (col) => col.notNull())
        .addColumn('secrets', 'text', (col) => col.notNull())
        .addColumn('paused', 'boolean', (col) => col.notNull().defaultTo(false))
        .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
        .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
        .execute();
      await db.schema
        .createTable('store_meta')
        .addColumn('key', 'text', (col) => col.primaryKey())
        .addColumn('value', 'text', (col) => col.notNull())
        .execute();
    },
  },
  '0002-invites': {
    async up(db) {
      await db.schema
        .createTable('invites')
        .addColumn('id', 'text', (col) => col.primaryKey())
        .addColumn('token_hash', 'text', (col) => col.notNull().unique())
        .addColumn('tenant_id', 'text')
        .addColumn('note', 'text')
        .addColumn('created_by', 'text')
        .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
        .addColumn('expires_at', 'timestamptz', (col) => col.notNull())
        .addColumn('used_at', 'timestamptz')
        .addColumn('revoked_at', 'timestamptz')
        .execute();
    },
  },
  '0003-api-budgets': {
    async up(db) {
      // One token bucket per merchant credential (an opaque hash) and API budget, shared by every worker.
      await db.schema
        .createTable('api_budgets')
        .addColumn('credential_key', 'text', (col) => col.notNull())
        .addColumn('budget', 'text', (col) => col.notNull())
        .addColumn('tokens', 'float8', (col) => col.notNull())
        .addColumn('refilled_at', 'timestamptz', (col) => col.notNull())
        .addPrimaryKeyConstraint('api_budgets_pkey', ['credential_key', 'budget'])
        .execute();
    },
  },
  '0004-demo-tenants-and-change-links': {
    async up(db) {
      await db.schema
        .alterTable('tenants')
        .addColumn('demo', 'boolean', (col) => col.notNull().defaultTo(false))
        .addColumn('settings_changed_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
        .addColumn('settings_changed_via_invite', 'text')
        .execute();
      await sql`UPDATE tenants SET settings_changed_at = updated_at`.execute(db);
      // The demo tenant an earlier npm start wrote, before demo tenants were marked: its secrets are public.
      await sql`UPDATE tenants SET demo = true
        WHERE id = 'demo' AND settings->>'finaleAccountName' = 'demo-store'`.execute(db);
      // Links made so far all set up new tenants.
      await db.schema
        .alterTable('invites')
        .addColumn('kind', 'text', (col) => col.notNull().defaultTo('create'))
        .execute();
    },
  },
};

export class MigrationError extends Error {
  override name = 'MigrationError';
}

/** Brings the schema up to date. Safe to run on every open and from several processes at once (Kysely locks). */
export async function migrateToLatest(db: Kysely<Database>): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    // Own names, so the store can share a database with another Kysely-migrated schema.
    migrationTableName: 'tenant_store_migration',
    migrationLockTableName: 'tenant_store_migration_lock',
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error === undefined) return;
  const failed = results?.find((r) => r.status === 'Error')?.migrationName;
  throw new MigrationError(
    `Tenant store migration ${failed ? `"${failed}" ` : ''}failed: ${error instanceof Error ? error.message : inspect(error)}`,
    { cause: error },
  );
}
