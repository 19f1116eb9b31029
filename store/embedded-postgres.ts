import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export interface EmbeddedPostgres {
  host: string;
  port: number;
  stop(): Promise<void>;
}

/** Where the embedded store keeps its database files inside the service's data folder. */
export const embeddedStorePath = (dataDir: string): string => path.join(dataDir, 'tenant-store');

/**
 * PGlite (PostgreSQL compiled to WebAssembly, in this process) served over the PostgreSQL wire protocol on
 * a loopback port, so the embedded default uses the same `pg` driver and Kysely dialect as a real server.
 * PGlite is a single connection: clients must use a pool of one.
 */
export async function startEmbeddedPostgres(options: { dataDir?: string }): Promise<EmbeddedPostgres> {
  const db = await PGlite.create(
    options.dataDir === undefined ? {} : { dataDir: embeddedStorePath(options.dataDir) },
  );
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0 });
  try {
    await server.start();
  } catch (error) {
    await db.close();
    throw error;
  }
  // Port 0 asks the OS for a free port; getServerConn() reports the one it chose as "host:port".
  const port = Number(server.getServerConn().split(':').pop());
  return {
    host: '127.0.0.1',
    port,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}
