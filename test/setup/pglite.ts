// Stands in for '@electric-sql/pglite' in test runs (vitest.config.ts aliases it here): the same module,
// whose `PGlite.create` loads the run's initdb template (test/setup/pglite-template.ts) where it would
// otherwise run initdb, into memory or into a new data folder. Only files that use PGlite load it.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { inject } from 'vitest';
// By file path: the package name would resolve to this module again.
import { PGlite, type PGliteOptions } from '../../node_modules/@electric-sql/pglite/dist/index.js';

export * from '../../node_modules/@electric-sql/pglite/dist/index.js';

/** Whether PGlite would run initdb for this data folder: in memory, or on disk where none is yet. */
function needsInitDb(dataDir: string | undefined): boolean {
  if (dataDir === undefined || dataDir.startsWith('memory://')) return true;
  if (dataDir.includes('://') && !dataDir.startsWith('file://')) return false;
  const dir = dataDir.startsWith('file://') ? fileURLToPath(dataDir) : dataDir;
  return !existsSync(path.join(dir, 'PG_VERSION'));
}

// The package's module outlives this one where a worker process runs several files (the unit project):
// the original `create`, and the template once read, are kept on the class, so it is patched only once.
const patched = PGlite as typeof PGlite & { originalCreate?: typeof PGlite.create; template?: Blob };
const create = (patched.originalCreate ??= PGlite.create.bind(PGlite));
PGlite.create = (dataDirOrOptions?: string | PGliteOptions, more?: PGliteOptions) => {
  const options: PGliteOptions =
    typeof dataDirOrOptions === 'string'
      ? { dataDir: dataDirOrOptions, ...more }
      : (dataDirOrOptions ?? more ?? {});
  if (options.loadDataDir || options.noInitDb || !needsInitDb(options.dataDir)) return create(options);
  patched.template ??= new Blob([readFileSync(inject('pgliteTemplate'))]);
  return create({ ...options, loadDataDir: patched.template });
};
