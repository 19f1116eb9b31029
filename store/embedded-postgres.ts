import path from 'node:path';

export interface EmbeddedPostgres {
  host: string;
  port: number;
  stop(): Promise<void>;
}

const SHARED_BUFFERS = '16MB';

/** Where the embedded store keeps its database files inside the service's data folder. */
export const embeddedStorePath = (dataDir: string): string => path.join(dataDir, 'tenant-store');

/**
 * PGlite (PostgreSQL compiled to WebAssembly, in this process) served over the PostgreSQL wire protocol on
 * a loopback port, so the embedded default uses the same `pg` driver and Kysely dialect as a real server.
 * PGlite is a single connection: clients must use a pool of one.
 */
export async function startEmbeddedPostgres(options: { dataDir?: string }): Promise<EmbeddedPostgres> {
  // Loaded only here: processes on a PostgreSQL server never carry PGlite's ~20 MB of code.
  const [{ PGlite }, { PGLiteSocketServer }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('@electric-sql/pglite-socket'),
  ]);
  const db = await PGlite.create({
    ...(options.dataDir === undefined ? {} : { dataDir: embeddedStorePath(options.dataDir) }),
    // PostgreSQL's default 128 MB of shared buffers lives in PGlite's WebAssembly memory, in this
    // process; a tenant store of a few hundred rows uses a fraction of 16 MB.
    postgresqlconf: [`shared_buffers = ${SHARED_BUFFERS}`],
  });
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
