import { createHash, randomBytes } from 'node:crypto';
import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database, InvitesTable } from './database.ts';

/**
 * `create`: the link sets up one new tenant, once. `change`: an operator made it to let the merchant change
 * an existing tenant (`tenantId`), once.
 */
export type InviteKind = 'create' | 'change';

export interface Invite {
  id: string;
  kind: InviteKind;
  /** The tenant a `create` link set up (from its first save), or the one a `change` link changes. */
  tenantId?: string;
  note?: string;
  createdBy?: string;
  createdAt: Date;
  expiresAt: Date;
  /** When a save through the link connected its tenant: from then on the link saves nothing. */
  usedAt?: Date;
  revokedAt?: Date;
}

export type InviteLookup =
  | { status: 'valid'; invite: Invite }
  | { status: 'expired' | 'revoked'; invite: Invite }
  | { status: 'unknown' };

export interface CreateInviteOptions {
  ttlMs: number;
  note?: string;
  createdBy?: string;
  /** Makes a `change` link for this existing tenant; without it, a `create` link. */
  tenantId?: string;
}

export interface InviteStore {
  /** A new single-use link token (returned once, never stored) and its invite. */
  create(options: CreateInviteOptions): Promise<{ invite: Invite; token: string }>;
  lookup(token: string): Promise<InviteLookup>;
  /**
   * Records that the `create` link created `tenantId`. A link creates at most one tenant: binding it to a
   * second, different tenant throws.
   */
  bindTenant(token: string, tenantId: string): Promise<Invite>;
  /** Records that the link's save connected its tenant; the link saves nothing after that. */
  markUsed(id: string): Promise<void>;
  list(): Promise<Invite[]>;
  revoke(id: string): Promise<boolean>;
}

export class InviteUsedError extends Error {
  override name = 'InviteUsedError';
  constructor(readonly tenantId: string) {
    super(`This onboarding link was already used to set up "${tenantId}"; ask for a new link`);
  }
}

export const hashInviteToken = (token: string) => createHash('sha256').update(token).digest('hex');

function toInvite(row: Selectable<InvitesTable>): Invite {
  return {
    id: row.id,
    kind: row.kind,
    tenantId: row.tenant_id ?? undefined,
    note: row.note ?? undefined,
    createdBy: row.created_by ?? undefined,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    usedAt: row.used_at ?? undefined,
    revokedAt: row.revoked_at ?? undefined,
  };
}

export function createInviteStore(db: Kysely<Database>): InviteStore {
  const byToken = (token: string) =>
    db.selectFrom('invites').selectAll().where('token_hash', '=', hashInviteToken(token)).executeTakeFirst();

  return {
    async create({ ttlMs, note, createdBy, tenantId }) {
      const token = randomBytes(32).toString('base64url');
      const row = await db
        .insertInto('invites')
        .values({
          id: randomBytes(8).toString('hex'),
          token_hash: hashInviteToken(token),
          kind: tenantId === undefined ? 'create' : 'change',
          tenant_id: tenantId ?? null,
          note: note ?? null,
          created_by: createdBy ?? null,
          expires_at: new Date(Date.now() + ttlMs),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return { invite: toInvite(row), token };
    },

    async lookup(token) {
      const row = await byToken(token);
      if (!row) return { status: 'unknown' };
      const invite = toInvite(row);
      if (invite.revokedAt) return { status: 'revoked', invite };
      if (invite.expiresAt.getTime() <= Date.now()) return { status: 'expired', invite };
      return { status: 'valid', invite };
    },

    async bindTenant(token, tenantId) {
      return db.transaction().execute(async (trx) => {
        const row = await trx
          .selectFrom('invites')
          .selectAll()
          .where('token_hash', '=', hashInviteToken(token))
          .forUpdate()
          .executeTakeFirst();
        if (!row) throw new Error('Unknown onboarding link');
        if (row.tenant_id !== null && row.tenant_id !== tenantId) throw new InviteUsedError(row.tenant_id);
        const updated = await trx
          .updateTable('invites')
          .set({ tenant_id: tenantId })
          .where('id', '=', row.id)
          .returningAll()
          .executeTakeFirstOrThrow();
        return toInvite(updated);
      });
    },

    async markUsed(id) {
      await db
        .updateTable('invites')
        .set({ used_at: sql<Date>`now()` })
        .where('id', '=', id)
        .where('used_at', 'is', null)
        .execute();
    },

    async list() {
      const rows = await db.selectFrom('invites').selectAll().orderBy('created_at', 'desc').execute();
      return rows.map(toInvite);
    },

    async revoke(id) {
      const result = await db
        .updateTable('invites')
        .set({ revoked_at: sql<Date>`now()` })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
  };
}
