// npm run bench, second part: the worker process's memory with many open returns waiting for the warehouse,
// and the embedded default's (npm start's process) with open returns, each beside its target. Prints figures;
// asserts nothing.
import { Client, Connection } from '@temporalio/client';
import { Command } from 'commander';
import { startDevServer } from '../temporal/dev-server.ts';
import { measureEmbeddedMemory } from './embedded-memory.ts';
import { loadAverages } from './process-memory.ts';
import { measureWorkerMemory } from './worker-memory.ts';

const options = new Command()
  .option(
    '--worker-open <n>',
    'open returns waiting for the warehouse, for the worker memory figure',
    '10000',
  )
  .option('--embedded-open <n>', 'open returns, for the memory figure of the embedded default', '1000')
  .parse()
  .opts<{ workerOpen: string; embeddedOpen: string }>();

const say = (line: string) => process.stdout.write(`${line}\n`);
const fmt = (n: number) => n.toFixed(0);

say(`Memory (load average ${loadAverages()}; resident memory is far less load-sensitive than throughput):`);
const dev = await startDevServer({ port: 19_000 + Math.floor(Math.random() * 1_000) });
const connection = await Connection.connect({ address: dev.address });
try {
  const worker = await measureWorkerMemory({
    client: new Client({ connection }),
    temporalAddress: dev.address,
    openReturns: Number(options.workerOpen),
    say,
  });
  say(
    `  worker (worker/main.ts): idle ${fmt(worker.idleMiB)} MiB; with ${worker.openReturns} open returns ` +
      `waiting ${fmt(worker.openMiB)} MiB (target ≤ 300), peak ${fmt(worker.peakMiB)} MiB; ` +
      `${worker.cachedWorkflows} workflows cached (WORKER_MAX_CACHED_WORKFLOWS ${worker.cacheLimit}); ` +
      `JavaScript heap ${fmt(worker.heapUsedMiB)} MiB`,
  );
} finally {
  await connection.close();
  await dev.stop();
}
const embedded = await measureEmbeddedMemory({ openReturns: Number(options.embeddedOpen), say });
say(
  `  embedded default (npm start's process, demo mode): idle ${fmt(embedded.idleMiB)} MiB; with ` +
    `${embedded.openReturns} open returns ${fmt(embedded.openMiB)} MiB (target ≤ 500), peak ` +
    `${fmt(embedded.peakMiB)} MiB; its Temporal dev server (own process) ${fmt(embedded.temporalServerMiB)} MiB`,
);
say(`  load average at the end: ${loadAverages()}`);
