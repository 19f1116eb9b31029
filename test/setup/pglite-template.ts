// The database files PGlite's initdb writes, made once and kept per PGlite version: initdb takes seconds
// of CPU, and the unit suite opens dozens of embedded stores. Test runs load these files instead (see
// test/setup/pglite.ts); they are what initdb would write again, byte for byte.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplate: string;
  }
}

const run = promisify(execFile);

export default async function setup(project: TestProject): Promise<void> {
  const pglite = path.resolve('node_modules/@electric-sql/pglite');
  const manifest = path.join(pglite, 'package.json');
  const { version } = JSON.parse(readFileSync(manifest, 'utf8')) as { version: string };
  const dir = path.resolve('node_modules/.cache/pglite-template');
  const file = path.join(dir, `initdb-${version}.tar`);
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    // Written aside and renamed, so a run in parallel never reads half a file. In a child process, as the
    // service does it (store/embedded-postgres.ts): initdb leaves hundreds of MiB resident behind it.
    const partial = `${file}.${process.pid}`;
    const script =
      "const { writeFileSync } = await import('node:fs');" +
      'const { PGlite } = await import(process.env.PGLITE_MODULE);' +
      'const db = await PGlite.create();' +
      "const files = await db.dumpDataDir('none');" +
      'writeFileSync(process.env.PGLITE_TEMPLATE, Buffer.from(await files.arrayBuffer()));' +
      'await db.close();';
    await run(process.execPath, ['--input-type=module', '--eval', script], {
      env: {
        ...process.env,
        PGLITE_MODULE: pathToFileURL(path.join(pglite, 'dist/index.js')).href,
        PGLITE_TEMPLATE: partial,
      },
      timeout: 180_000,
    });
    renameSync(partial, file);
  }
  project.provide('pgliteTemplate', file);
}
