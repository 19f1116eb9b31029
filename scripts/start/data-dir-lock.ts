// One `npm start` per data folder: its Temporal SQLite file and its embedded PGlite store belong to one
// process. The lock is a pid file in DATA_DIR; a second start reads it and says who holds the folder.
import { mkdir, open, readFile, unlink } from 'node:fs/promises';
import path from 'node:path';
import { StartupError } from '../../startup/startup-error.ts';

const lockFileName = 'npm-start.pid';

interface LockInfo {
  pid: number;
  gatewayUrl: string;
  startedAt: string;
}

/** Whether `pid` is a running `npm start` (a pid reused by another program does not count). */
async function isRunningStart(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    return (await readFile(`/proc/${pid}/cmdline`, 'utf8')).includes('start.ts');
  } catch {
    // No /proc (macOS): a live process is taken as the holder.
    return true;
  }
}

async function readLock(file: string): Promise<LockInfo | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as LockInfo;
  } catch {
    return undefined;
  }
}

export interface DataDirLock {
  release(): Promise<void>;
}

/**
 * Takes `<dataDir>/npm-start.pid` for this process, replacing a lock whose process is gone. Throws a
 * StartupError naming the running instance (pid, gateway) when another `npm start` holds the folder.
 */
export async function lockDataDir(dataDir: string, gatewayUrl: string): Promise<DataDirLock> {
  const file = path.join(dataDir, lockFileName);
  await mkdir(dataDir, { recursive: true });
  const info: LockInfo = { pid: process.pid, gatewayUrl, startedAt: new Date().toISOString() };
  for (let attempt = 0; ; attempt++) {
    try {
      const handle = await open(file, 'wx', 0o600);
      await handle.writeFile(`${JSON.stringify(info)}\n`);
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw error;
    }
    const holder = await readLock(file);
    if (holder && holder.pid !== process.pid && (await isRunningStart(holder.pid))) {
      throw new StartupError(
        `Another npm start (pid ${holder.pid}, gateway ${holder.gatewayUrl}, since ${holder.startedAt}) is ` +
          `already running with the data folder ${path.resolve(dataDir)}.\n` +
          'Use that one, or stop it first (Ctrl-C in its terminal). To run a second one beside it, give it its ' +
          'own DATA_DIR and free ports: GATEWAY_PORT, TEMPORAL_DEV_PORT, TEMPORAL_UI_PORT, ' +
          'TEMPORAL_METRICS_ADDRESS, FINALE_SIM_PORT and LOOP_SIM_PORT.',
      );
    }
    // Left by a start that did not stop cleanly (killed, machine restarted): take it over.
    await unlink(file).catch(() => undefined);
  }
  return {
    async release() {
      if ((await readLock(file))?.pid === process.pid) await unlink(file).catch(() => undefined);
    },
  };
}
