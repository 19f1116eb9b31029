import { parseArgs } from 'node:util';
import { closeOnSignals, portArgument } from '../shared/standalone.ts';
import { demoShop, seedDemo } from './demo-seed.ts';
import { startLoopSimulator } from './server.ts';

/** Standalone Loop simulator: `npx tsx sandbox/loop/main.ts --port 4020 [--host 0.0.0.0] [--no-demo] [--log]`. */
const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '4020' },
    host: { type: 'string', default: '127.0.0.1' },
    'no-demo': { type: 'boolean', default: false },
    log: { type: 'boolean', default: false },
  },
});

const simulator = await startLoopSimulator({
  port: portArgument(values.port),
  host: values.host,
  logger: values.log,
});
if (!values['no-demo']) seedDemo(simulator.state);
process.stdout.write(
  `Loop simulator listening on ${simulator.url} (API base ${simulator.apiBaseUrl}/2026-07)\n`,
);
if (!values['no-demo']) {
  process.stdout.write(
    `demo shop: X-Authorization: ${demoShop.apiKey}, webhook secret: ${demoShop.webhookSecret}\n`,
  );
}
closeOnSignals(simulator);
