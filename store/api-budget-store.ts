import { sql, type Kysely } from 'kysely';
import type { BudgetName } from '../integrations/budget-rules.ts';
import { waitForToken, type TokenBuckets } from '../integrations/token-buckets.ts';
import type { Database } from './database.ts';

interface TakeRow {
  granted: boolean;
  available: number;
  blocked_ms: number;
}

/**
 * The API budgets as token buckets in the tenant store, one row per credential and budget, so every worker
 * process on every machine draws from the same ones. A take is one statement that locks the row, refills it
 * for the time elapsed on the database's clock (never a process's), and takes a token if enough are there:
 * the same SQL on PGlite and PostgreSQL. A refused take returns what the caller needs to compute its wait.
 */
export function createApiBudgetStore(db: Kysely<Database>): TokenBuckets {
  const takeOnce = async (
    key: string,
    budget: BudgetName,
    capacity: number,
    refillPerSecond: number,
    need: number,
  ): Promise<TakeRow | undefined> => {
    // `statement_timestamp()` is one instant for the whole statement; a row whose `refilled_at` lies ahead
    // of it (blocked, or refilled by a statement that took the lock first) gains no tokens, so no time is
    // credited twice.
    const { rows } = await sql<TakeRow>`
      WITH current AS (
        SELECT credential_key, budget,
          LEAST(${capacity}::float8, tokens + ${refillPerSecond}::float8 *
            GREATEST(0, EXTRACT(EPOCH FROM statement_timestamp() - refilled_at)::float8)) AS available,
          GREATEST(refilled_at, statement_timestamp()) AS refilled_at,
          1000 * EXTRACT(EPOCH FROM refilled_at - statement_timestamp())::float8 AS blocked_ms
        FROM api_budgets
        WHERE credential_key = ${key} AND budget = ${budget}
        FOR UPDATE
      )
      UPDATE api_budgets AS b
      SET tokens = c.available - CASE WHEN c.available >= ${need}::float8 THEN 1 ELSE 0 END,
          refilled_at = c.refilled_at
      FROM current AS c
      WHERE b.credential_key = c.credential_key AND b.budget = c.budget
      RETURNING c.available >= ${need}::float8 AS granted, c.available, c.blocked_ms
    `.execute(db);
    return rows[0];
  };

  return {
    async take({ key, budget, shape, reserve }) {
      const need = 1 + reserve;
      let row = await takeOnce(key, budget, shape.capacity, shape.refillPerSecond, need);
      if (row === undefined) {
        // First use of this budget by this credential: a full bucket.
        await db
          .insertInto('api_budgets')
          .values({
            credential_key: key,
            budget,
            tokens: shape.capacity,
            refilled_at: sql`statement_timestamp()`,
          })
          .onConflict((oc) => oc.columns(['credential_key', 'budget']).doNothing())
          .execute();
        row = await takeOnce(key, budget, shape.capacity, shape.refillPerSecond, need);
        if (row === undefined) throw new Error(`API budget ${budget} vanished while it was being created`);
      }
      return {
        granted: row.granted,
        waitMs: row.granted ? 0 : waitForToken(shape, reserve, row.available, row.blocked_ms),
      };
    },

    async block(key, budgets, ms) {
      await sql`
        INSERT INTO api_budgets (credential_key, budget, tokens, refilled_at)
        SELECT ${key}, budget, 0, statement_timestamp() + ${Math.max(0, Math.ceil(ms))} * interval '1 millisecond'
        FROM unnest(${[...budgets]}::text[]) AS budget
        ON CONFLICT (credential_key, budget) DO UPDATE
        SET tokens = 0, refilled_at = GREATEST(api_budgets.refilled_at, excluded.refilled_at)
      `.execute(db);
    },
  };
}
