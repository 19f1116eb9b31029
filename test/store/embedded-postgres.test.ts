import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { startEmbeddedPostgres } from '../../store/embedded-postgres.ts';

describe('startEmbeddedPostgres', () => {
  it('serves PGlite to the pg driver on a loopback port until stopped', async () => {
    const server = await startEmbeddedPostgres({});
    const config = { host: server.host, port: server.port, user: 'postgres', database: 'postgres' };
    const client = new pg.Client(config);
    await client.connect();
    const { rows } = await client.query<{ version: string }>('SELECT version()');
    expect(rows[0]?.version).toMatch(/PGlite/);
    await client.end();
    await server.stop();

    await expect(new pg.Client(config).connect()).rejects.toThrow(/ECONNREFUSED/);
  });
});
