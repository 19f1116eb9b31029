import type { ColumnType, Generated } from 'kysely';

/** Row shapes as Kysely sees them; one interface per table, added to `Database` as migrations add tables. */
export interface TenantsTable {
  id: string;
  /** Non-secret settings without `tenantId` and `paused`, which live in their own columns. Written as JSON text. */
  settings: ColumnType<unknown, string, string>;
  /** The secrets object as one AES-256-GCM value (see secret-crypto.ts). */
  secrets: string;
  paused: Generated<boolean>;
  /** Set only by npm start's demo seeding: served only in demo mode, and only by the simulators. */
  demo: Generated<boolean>;
  created_at: ColumnType<Date, never, never>;
  updated_at: ColumnType<Date, never, Date>;
  /** When settings or secrets last changed, and through which onboarding link (invite ID), if one. */
  settings_changed_at: Generated<Date>;
  settings_changed_via_invite: string | null;
}

/** Store-wide facts, e.g. the check value that proves the configured secret key is the store's key. */
export interface StoreMetaTable {
  key: string;
  value: string;
}

/** Onboarding invites; only a hash of each link's token is kept. */
export interface InvitesTable {
  id: string;
  token_hash: string;
  /** `create`: sets up one new tenant. `change`: changes the existing tenant `tenant_id`. */
  kind: Generated<'create' | 'change'>;
  /** The tenant the link set up (set on its first save) or changes (set when the link is made). */
  tenant_id: string | null;
  note: string | null;
  created_by: string | null;
  created_at: ColumnType<Date, never, never>;
  expires_at: Date;
  /** When the link's save connected its tenant: a used link saves nothing more. */
  used_at: Date | null;
  revoked_at: Date | null;
}

/** Token buckets of the shared API budgets (see api-budget-store.ts). */
export interface ApiBudgetsTable {
  /** An opaque hash of the credential, never the credential. */
  credential_key: string;
  budget: string;
  tokens: number;
  /** When `tokens` was last brought up to date; in the future while an upstream 429 blocks the budget. */
  refilled_at: Date;
}

export interface Database {
  tenants: TenantsTable;
  store_meta: StoreMetaTable;
  invites: InvitesTable;
  api_budgets: ApiBudgetsTable;
}
