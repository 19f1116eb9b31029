// Entry point of the CLI: `npm run cli -- <command>`.
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { runCli } from './program.ts';

// Replays bundle the workflows; keep the SDK's info lines out of the command's output.
Runtime.install({ logger: new DefaultLogger('WARN') });
process.exitCode = await runCli(process.argv.slice(2));
