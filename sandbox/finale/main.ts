import { parseArgs } from 'node:util';
import { closeOnSignals, portArgument } from '../shared/standalone.ts';
import { startFinaleSimulator } from './server.ts';

/** Standalone Finale simulator: `npx tsx sandbox/finale/main.ts --port 4010 [--host 0.0.0.0] [--log] [--duplicate-return-ids reject]`. */
const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '4010' },
    host: { type: 'string', default: '127.0.0.1' },
    log: { type: 'boolean', default: false },
    'duplicate-return-ids': { type: 'string', default: 'allow' },
  },
});

const duplicateReturnIds = values['duplicate-return-ids'];
if (duplicateReturnIds !== 'allow' && duplicateReturnIds !== 'reject') {
  process.stderr.write(`--duplicate-return-ids must be allow or reject, got "${duplicateReturnIds}"\n`);
  process.exit(2);
}

const simulator = await startFinaleSimulator({
  port: portArgument(values.port),
  host: values.host,
  logger: values.log,
  settings: { duplicateReturnIds },
});
process.stdout.write(`Finale simulator listening on ${simulator.url}\n`);
closeOnSignals(simulator);
