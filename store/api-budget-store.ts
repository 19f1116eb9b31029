import { sql, type Kysely } from 'kysely';
import type { BudgetName } from '../integrations/budget-rules.ts';
import { takeResult, type BudgetDraw, type TokenBuckets } from '../integrations/token-buckets.ts';
import type { Database } from './database.ts';

interface TakeRow {
  budget: BudgetName;
  granted: boolean;
  available: number;
  blocked_ms: number;
}

/**
 * The API budgets as token buckets in the tenant store, one row per credential and budget, so every worker
 * process on every machine draws from the same ones. A take is one statement that locks the rows of every
 * budget the call draws from, refills them for the time elapsed on the database's clock (never a
 * process's), and takes a token of each only if all of them have one: the same SQL on PGlite and
 * PostgreSQL. A refused take returns what the caller needs to compute its wait.
 */
export function createApiBudgetStore(db: Kysely<Database>): TokenBuckets {
  const takeOnce = async (key: string, draws: readonly BudgetDraw[]): Promise<TakeRow[]> => {
    // Rows are locked in budget order (LockRows runs above the sort), and `block` locks in the same order,
    // so two statements never wait for each other's rows. `statement_timestamp()` is one instant for the
    // whole statement; a row whose `refilled_at` lies ahead of it (blocked, or refilled by a statement that
    // took the lock first) gains no tokens, so no time is credited twice.
    const { rows } = await sql<TakeRow>`
      WITH wanted AS (
        SELECT * FROM unnest(
          ${draws.map((d) => d.budget)}::text[],
          ${draws.map((d) => d.shape.capacity)}::float8[],
          ${draws.map((d) => d.shape.refillPerSecond)}::float8[],
          ${draws.map((d) => 1 + d.reserve)}::float8[]
        ) AS w(budget, capacity, refill_per_second, need)
      ),
      current AS (
        SELECT b.credential_key, b.budget, w.need,
          LEAST(w.capacity, b.tokens + w.refill_per_second *
            GREATEST(0, EXTRACT(EPOCH FROM statement_timestamp() - b.refilled_at)::float8)) AS available,
          GREATEST(b.refilled_at, statement_timestamp()) AS refilled_at,
          1000 * EXTRACT(EPOCH FROM b.refilled_at - statement_timestamp())::float8 AS blocked_ms
        FROM api_budgets AS b
        JOIN wanted AS w ON w.budget = b.budget
        WHERE b.credential_key = ${key}
        ORDER BY b.budget
        FOR UPDATE OF b
      ),
      verdict AS (
        SELECT count(*) = ${draws.length} AND bool_and(available >= need) AS granted FROM current
      )
      UPDATE api_budgets AS b
      SET tokens = c.available - CASE WHEN v.granted THEN 1 ELSE 0 END,
          refilled_at = c.refilled_at
      FROM current AS c, verdict AS v
      WHERE b.credential_key = c.credential_key AND b.budget = c.budget
      RETURNING c.budget, v.granted, c.available, c.blocked_ms
    `.execute(db);
    return rows;
  };

  return {
    async take({ key, draws }) {
      let rows = await takeOnce(key, draws);
      if (rows.length < draws.length) {
        // First use of a budget by this credential: a full bucket. Nothing was taken from the others.
        const missing = draws.filter((d) => !rows.some((row) => row.budget === d.budget));
        await db
          .insertInto('api_budgets')
          .values(
            missing.map((d) => ({
              credential_key: key,
              budget: d.budget,
              tokens: d.shape.capacity,
              refilled_at: sql<Date>`statement_timestamp()`,
            })),
          )
          .onConflict((oc) => oc.columns(['credential_key', 'budget']).doNothing())
          .execute();
        rows = await takeOnce(key, draws);
        if (rows.length < draws.length) {
          throw new Error(
            `API budgets ${missing.map((d) => d.budget).join(', ')} vanished while being created`,
          );
        }
      }
      if (rows[0]!.granted) return { granted: true, waitMs: 0 };
      // The statement's verdict stands; the levels it saw only say how long to wait.
      const levels = rows.map((row) => ({
        budget: row.budget,
        tokens: row.available,
        blockedMs: row.blocked_ms,
      }));
      return { ...takeResult(draws, levels), granted: false };
    },

    async block(key, budgets, ms) {
      await sql`
        INSERT INTO api_budgets (credential_key, budget, tokens, refilled_at)
        SELECT ${key}, budget, 0, statement_timestamp() + ${Math.max(0, Math.ceil(ms))} * interval '1 millisecond'
        FROM unnest(${[...budgets]}::text[]) AS budget
        ORDER BY budget
        ON CONFLICT (credential_key, budget) DO UPDATE
        SET tokens = 0, refilled_at = GREATEST(api_budgets.refilled_at, excluded.refilled_at)
      `.execute(db);
    },
  };
}
