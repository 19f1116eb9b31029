import { parseArgs } from 'node:util';
import { demoShop, seedDemo } from './demo-seed.ts';
import { startLoopSimulator } from './simulator.ts';

/** Standalone Loop simulator: `npx tsx sandbox/loop/main.ts --port 4020 [--host 0.0.0.0] [--no-demo] [--log]`. */
const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '4020' },
    host: { type: 'string', default: '127.0.0.1' },
    'no-demo': { type: 'boolean', default: false },
    log: { type: 'boolean', default: false },
  },
});

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  process.stderr.write(`--port must be a port number, got "${values.port}"\n`);
  process.exit(1);
}

const sim = await startLoopSimulator({ port, host: values.host, logger: values.log });
if (!values['no-demo']) seedDemo(sim);
process.stdout.write(`Loop simulator listening on ${sim.url} (API base ${sim.apiBaseUrl}/2026-07)\n`);
if (!values['no-demo']) {
  process.stdout.write(
    `demo shop: X-Authorization: ${demoShop.apiKey}, webhook secret: ${demoShop.webhookSecret}\n`,
  );
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void sim.close().then(() => process.exit(0));
  });
}
