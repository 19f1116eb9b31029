import { parseArgs } from 'node:util';
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

const port = Number(values.port);
const duplicateReturnIds = values['duplicate-return-ids'];
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  console.error(`--port must be a port number, got ${values.port}`);
  process.exit(2);
}
if (duplicateReturnIds !== 'allow' && duplicateReturnIds !== 'reject') {
  console.error(`--duplicate-return-ids must be allow or reject, got ${duplicateReturnIds}`);
  process.exit(2);
}

const simulator = await startFinaleSimulator({
  port,
  host: values.host,
  logger: values.log,
  duplicateReturnIds,
});
console.log(`Finale simulator listening on ${simulator.url}`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void simulator.close().then(() => process.exit(0));
  });
}
