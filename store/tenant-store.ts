import { type Kysely, type Selectable, sql } from 'kysely';
import {
  type NewTenant,
  parseNewTenant,
  parseStoredTenantSettings,
  parseTenantSecrets,
  parseTenantSettings,
  type TenantSecrets,
  type TenantSettings,
  type TenantSettingsInput,
} from '../config/tenant-settings.ts';
import type { TokenBuckets } from '../integrations/token-buckets.ts';
import { createApiBudgetStore } from './api-budget-store.ts';
import type { Database, TenantsTable } from './database.ts';
import { TenantExistsError, TenantNotFoundError } from './errors.ts';
import { createInviteStore, type InviteStore } from './invite-store.ts';
import { decryptSecret, encryptSecret } from './secret-crypto.ts';

export interface TenantRecord {
  /** Non-secret: safe to hand to workflows. */
  settings: TenantSettings;
  /**
   * Set only by npm start's demo seeding (`markDemo`), never by onboarding: its credentials are public, so
   * it is served only while demo mode runs, and its API calls only ever go to the simulators.
   */
  demo: boolean;
  createdAt: Date;
  updatedAt: Date;
  /** When settings or secrets last changed (pausing is not a change of settings). */
  settingsChangedAt: Date;
  /** The onboarding link (invite ID) that made that change; absent for an operator's or the demo's. */
  settingsChangedVia?: string;
}

/** Who is changing a tenant's settings: an onboarding link, or (no invite) an operator or the demo seeding. */
export interface SettingsChange {
  inviteId?: string;
}

/** Fields to change; omitted fields keep their value, a field set to `undefined` returns to its default. */
export type TenantSettingsPatch = Partial<Omit<TenantSettingsInput, 'tenantId' | 'paused'>>;

export interface TenantStore {
  /** Throws `TenantExistsError` if the ID is taken, `TenantSettingsError` if the input is invalid. */
  createTenant(input: NewTenant, change?: SettingsChange): Promise<TenantRecord>;
  /** Creates or replaces settings and secrets; an existing tenant stays paused unless `paused` is given. */
  upsertTenant(input: NewTenant, change?: SettingsChange): Promise<TenantRecord>;
  /**
   * Replaces an existing tenant's settings and secrets (it stays paused unless `paused` is given); throws
   * `TenantNotFoundError` rather than bring a removed tenant back.
   */
  replaceTenant(input: NewTenant, change?: SettingsChange): Promise<TenantRecord>;
  getTenant(tenantId: string): Promise<TenantRecord | undefined>;
  /** Decrypted credentials, for activities only: never pass them to a workflow. */
  getTenantSecrets(tenantId: string): Promise<TenantSecrets>;
  updateSettings(tenantId: string, patch: TenantSettingsPatch): Promise<TenantRecord>;
  updateSecrets(tenantId: string, patch: Partial<TenantSecrets>): Promise<void>;
  listTenants(): Promise<TenantRecord[]>;
  pauseTenant(tenantId: string): Promise<TenantRecord>;
  resumeTenant(tenantId: string): Promise<TenantRecord>;
  /** Marks the tenant as npm start's demo tenant (see `TenantRecord.demo`). Only the demo seeding calls it. */
  markDemo(tenantId: string): Promise<TenantRecord>;
  /** Returns false if there was no such tenant. */
  deleteTenant(tenantId: string): Promise<boolean>;
  /** Onboarding invites, in the same database. */
  invites: InviteStore;
  /** The API budgets of every merchant credential, shared by every process using this database. */
  apiBudgets: TokenBuckets;
  /** Closes the connections and stops the embedded database, if any. Safe to call twice. */
  close(): Promise<void>;
}

// Bound into each ciphertext, so secrets copied onto another tenant's row fail to decrypt. Never reword:
// stored values can only be decrypted with the exact string they were written with.
const secretsContext = (tenantId: string) => `tenants/${tenantId}/secrets`;

/** `tenantId` and `paused` have their own columns; the JSON holds the rest. */
function settingsJson(settings: TenantSettings): string {
  const { tenantId: _id, paused: _paused, ...rest } = settings;
  return JSON.stringify(rest);
}

function toRecord(row: Selectable<TenantsTable>): TenantRecord {
  const stored = typeof row.settings === 'object' && row.settings !== null ? row.settings : {};
  return {
    settings: parseStoredTenantSettings({ ...stored, tenantId: row.id, paused: row.paused }, row.id),
    demo: row.demo,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    settingsChangedAt: row.settings_changed_at,
    ...(row.settings_changed_via_invite === null
      ? {}
      : { settingsChangedVia: row.settings_changed_via_invite }),
  };
}

/** The columns that record a change of settings, for an insert or an update. */
const changed = (change: SettingsChange = {}) => ({
  settings_changed_at: sql<Date>`now()`,
  settings_changed_via_invite: change.inviteId ?? null,
});

export function createTenantStore(
  db: Kysely<Database>,
  secretKey: Buffer,
  close: () => Promise<void>,
): TenantStore {
  const encryptSecrets = (tenantId: string, secrets: TenantSecrets) =>
    encryptSecret(secretKey, JSON.stringify(secrets), secretsContext(tenantId));

  const decryptSecrets = (tenantId: string, stored: string) =>
    parseTenantSecrets(
      JSON.parse(decryptSecret(secretKey, stored, secretsContext(tenantId))),
      `Stored secrets of tenant "${tenantId}" are invalid`,
    );

  function prepare(input: NewTenant) {
    const { settings, secrets } = parseNewTenant(input);
    return { settings, row: { id: settings.tenantId, settings: settingsJson(settings) }, secrets };
  }

  async function setFlag(
    tenantId: string,
    flag: { paused: boolean } | { demo: true },
  ): Promise<TenantRecord> {
    const row = await db
      .updateTable('tenants')
      .set({ ...flag, updated_at: sql`now()` })
      .where('id', '=', tenantId)
      .returningAll()
      .executeTakeFirst();
    if (row === undefined) throw new TenantNotFoundError(tenantId);
    return toRecord(row);
  }

  return {
    async createTenant(input, change) {
      const { settings, row, secrets } = prepare(input);
      const created = await db
        .insertInto('tenants')
        .values({
          ...row,
          secrets: encryptSecrets(row.id, secrets),
          paused: settings.paused,
          ...changed(change),
        })
        .onConflict((oc) => oc.column('id').doNothing())
        .returningAll()
        .executeTakeFirst();
      if (created === undefined) throw new TenantExistsError(row.id);
      return toRecord(created);
    },

    async upsertTenant(input, change) {
      const { settings, row, secrets } = prepare(input);
      const encrypted = encryptSecrets(row.id, secrets);
      const pausedGiven = input.settings.paused !== undefined;
      const saved = await db
        .insertInto('tenants')
        .values({ ...row, secrets: encrypted, paused: settings.paused, ...changed(change) })
        .onConflict((oc) =>
          oc.column('id').doUpdateSet({
            settings: row.settings,
            secrets: encrypted,
            updated_at: sql`now()`,
            ...changed(change),
            ...(pausedGiven ? { paused: settings.paused } : {}),
          }),
        )
        .returningAll()
        .executeTakeFirstOrThrow();
      return toRecord(saved);
    },

    async replaceTenant(input, change) {
      const { settings, row, secrets } = prepare(input);
      const replaced = await db
        .updateTable('tenants')
        .set({
          settings: row.settings,
          secrets: encryptSecrets(row.id, secrets),
          updated_at: sql`now()`,
          ...changed(change),
          ...(input.settings.paused !== undefined ? { paused: settings.paused } : {}),
        })
        .where('id', '=', row.id)
        .returningAll()
        .executeTakeFirst();
      if (replaced === undefined) throw new TenantNotFoundError(row.id);
      return toRecord(replaced);
    },

    async getTenant(tenantId) {
      const row = await db.selectFrom('tenants').selectAll().where('id', '=', tenantId).executeTakeFirst();
      return row === undefined ? undefined : toRecord(row);
    },

    async getTenantSecrets(tenantId) {
      const row = await db
        .selectFrom('tenants')
        .select('secrets')
        .where('id', '=', tenantId)
        .executeTakeFirst();
      if (row === undefined) throw new TenantNotFoundError(tenantId);
      return decryptSecrets(tenantId, row.secrets);
    },

    async updateSettings(tenantId, patch) {
      return db.transaction().execute(async (trx) => {
        const row = await trx
          .selectFrom('tenants')
          .selectAll()
          .where('id', '=', tenantId)
          .forUpdate()
          .executeTakeFirst();
        if (row === undefined) throw new TenantNotFoundError(tenantId);
        const current = toRecord(row).settings;
        const next = parseTenantSettings({ ...current, ...patch, tenantId, paused: current.paused });
        const updated = await trx
          .updateTable('tenants')
          .set({ settings: settingsJson(next), updated_at: sql`now()`, ...changed() })
          .where('id', '=', tenantId)
          .returningAll()
          .executeTakeFirstOrThrow();
        return toRecord(updated);
      });
    },

    async updateSecrets(tenantId, patch) {
      await db.transaction().execute(async (trx) => {
        const row = await trx
          .selectFrom('tenants')
          .select('secrets')
          .where('id', '=', tenantId)
          .forUpdate()
          .executeTakeFirst();
        if (row === undefined) throw new TenantNotFoundError(tenantId);
        const next = parseTenantSecrets({ ...decryptSecrets(tenantId, row.secrets), ...patch });
        await trx
          .updateTable('tenants')
          .set({ secrets: encryptSecrets(tenantId, next), updated_at: sql`now()`, ...changed() })
          .where('id', '=', tenantId)
          .execute();
      });
    },

    async listTenants() {
      const rows = await db.selectFrom('tenants').selectAll().orderBy('id').execute();
      return rows.map(toRecord);
    },

    pauseTenant: (tenantId) => setFlag(tenantId, { paused: true }),
    resumeTenant: (tenantId) => setFlag(tenantId, { paused: false }),
    markDemo: (tenantId) => setFlag(tenantId, { demo: true }),

    async deleteTenant(tenantId) {
      const result = await db.deleteFrom('tenants').where('id', '=', tenantId).executeTakeFirst();
      return result.numDeletedRows > 0n;
    },

    invites: createInviteStore(db),
    apiBudgets: createApiBudgetStore(db),
    close,
  };
}
