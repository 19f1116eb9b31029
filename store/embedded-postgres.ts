import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

export interface EmbeddedPostgres {
  host: string;
  port: number;
  stop(): Promise<void>;
}

/**
 * PostgreSQL's default of 128 MB of shared buffers would sit in PGlite's WebAssembly memory, in this process
 * (about 120 MiB resident once touched); a tenant store of a few hundred rows uses a fraction of 16 MB.
 */
const SHARED_BUFFERS = '16MB';

/** Where the embedded store keeps its database files inside the service's data folder. */
export const embeddedStorePath = (dataDir: string): string => path.join(dataDir, 'tenant-store');

const run = promisify(execFile);

/**
 * Creates the database files in a short-lived child process. PGlite's initdb is a WebAssembly instance of its
 * own that leaves the process that ran it with hundreds of MiB more resident memory (about 700 MiB at its
 * peak, 300 MiB after garbage collection): the long-running process must not carry that for weeks.
 */
async function createDataDir(dir: string): Promise<void> {
  const script =
    'const { PGlite } = await import(process.env.PGLITE_MODULE);' +
    'const db = await PGlite.create({ dataDir: process.env.PGLITE_DATA_DIR });' +
    'await db.close();';
  try {
    await run(process.execPath, ['--input-type=module', '--eval', script], {
      env: {
        ...process.env,
        PGLITE_MODULE: import.meta.resolve('@electric-sql/pglite'),
        PGLITE_DATA_DIR: dir,
      },
      timeout: 180_000,
    });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new Error(`Could not create the embedded tenant store in ${dir}${stderr ? `: ${stderr}` : ''}`, {
      cause: error,
    });
  }
}

/**
 * PGlite (PostgreSQL compiled to WebAssembly, in this process) served over the PostgreSQL wire protocol on
 * a loopback port, so the embedded default uses the same `pg` driver and Kysely dialect as a real server.
 * PGlite is a single connection: clients must use a pool of one.
 */
export async function startEmbeddedPostgres(options: { dataDir?: string }): Promise<EmbeddedPostgres> {
  const dir = options.dataDir === undefined ? undefined : embeddedStorePath(options.dataDir);
  if (dir !== undefined && !existsSync(path.join(dir, 'PG_VERSION'))) await createDataDir(dir);
  // Loaded only here: processes on a PostgreSQL server never carry PGlite's code.
  const [{ PGlite }, { PGLiteSocketServer }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('@electric-sql/pglite-socket'),
  ]);
  const db = await PGlite.create({
    ...(dir === undefined ? {} : { dataDir: dir }),
    // A start parameter, so the data folder's postgresql.conf stays as initdb wrote it.
    startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${SHARED_BUFFERS}`],
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
