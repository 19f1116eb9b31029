// `npm run bench:intake [-- --count 500 --concurrency 32]`: how close the gateway's webhook intake comes to
// starting workflows directly. One in-memory Temporal dev server; the gateway runs in this process with an
// in-memory tenant store, and a second process fires signed `return.created` webhooks at it over loopback.
// Beside it, this process makes the same number of raw workflow starts (same workflow type and options,
// through the one function the gateway uses) with the same concurrency. A third row is the floor for any
// HTTP intake on this machine: a bare Node HTTP server that parses the body and makes the same start, fed by
// the same load process. No worker runs: starts only. Prints figures; it is not a test.
import { fork } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { pino } from 'pino';
import { parseEnv } from '../config/env.ts';
import { startGateway } from '../gateway/server.ts';
import type { LoopReturn } from '../integrations/loop/loop-return.ts';
import { parseReturnWebhook } from '../integrations/loop/webhooks.ts';
import { createLogger } from '../observability/logger.ts';
import { LoopSimulatorState } from '../sandbox/loop/state.ts';
import { phpJson } from '../sandbox/loop/payloads.ts';
import { openStore } from '../store/open-store.ts';
import { startDevServer } from '../temporal/dev-server.ts';
import { startReturnWorkflow } from '../temporal/workflow-starts.ts';
import pLimit from 'p-limit';

interface Timing {
  latenciesMs: number[];
  elapsedMs: number;
  /** CPU time this process spent during the run (user + system). */
  cpuMs: number;
}

interface LoadRequest {
  url: string;
  deliveries: { body: string; signature: string }[];
  concurrency: number;
}

type LoadReply = Timing & { failures: string[] };

/** Runs `task` over `items`, at most `concurrency` at a time, timing each call and the whole run. */
async function timed<T>(items: T[], concurrency: number, task: (item: T) => Promise<void>): Promise<Timing> {
  const latenciesMs: number[] = [];
  const started = performance.now();
  const cpu = process.cpuUsage();
  const limit = pLimit(concurrency);
  await Promise.all(
    items.map((item) =>
      limit(async () => {
        const t0 = performance.now();
        await task(item);
        latenciesMs.push(performance.now() - t0);
      }),
    ),
  );
  const { user, system } = process.cpuUsage(cpu);
  return { latenciesMs, elapsedMs: performance.now() - started, cpuMs: (user + system) / 1_000 };
}

/** The second process: Loop's side of the wire. */
async function fireWebhooks({ url, deliveries, concurrency }: LoadRequest): Promise<LoadReply> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const failures: string[] = [];
  const post = (body: string, signature: string) =>
    new Promise<void>((resolve, reject) => {
      const request = http.request(
        url,
        {
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/json', 'x-loop-signature': signature },
        },
        (response) => {
          let text = '';
          response.on('data', (chunk: Buffer) => (text += chunk.toString()));
          response.on('end', () => {
            if (response.statusCode !== 202 || !text.includes('"started"')) {
              failures.push(`${response.statusCode}: ${text}`);
            }
            resolve();
          });
        },
      );
      request.on('error', reject);
      request.end(body);
    });
  const timing = await timed(deliveries, concurrency, ({ body, signature }) => post(body, signature));
  agent.destroy();
  return { ...timing, failures };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;

function summarise(runs: Timing[]) {
  const latencies = runs.flatMap((run) => run.latenciesMs).sort((a, b) => a - b);
  const total = (field: 'elapsedMs' | 'cpuMs') => runs.reduce((sum, run) => sum + run[field], 0);
  return {
    rate: latencies.length / (total('elapsedMs') / 1_000),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    cpuMsEach: total('cpuMs') / latencies.length,
  };
}

/**
 * The least any HTTP intake can do: read the body, parse and validate it, start the workflow, answer 202.
 * No signature check, logging, rate limiting or metrics; what the gateway adds on top of this is its own cost.
 */
async function startHttpFloor(start: (loopReturn: LoopReturn) => Promise<boolean>) {
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const loopReturn = parseReturnWebhook(JSON.parse(Buffer.concat(chunks).toString('utf8'))).return;
      start(loopReturn).then(
        (started) => {
          response.writeHead(202, { 'content-type': 'application/json' });
          response.end(JSON.stringify({ outcome: started ? 'started' : 'duplicate' }));
        },
        (error: unknown) => {
          response.writeHead(503);
          response.end(String(error));
        },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((resolve) => server.close(resolve)) };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { count: { type: 'string', default: '500' }, concurrency: { type: 'string', default: '32' } },
  });
  const count = Number(values.count);
  const concurrency = Number(values.concurrency);
  if (!Number.isInteger(count) || count < 2 || !Number.isInteger(concurrency) || concurrency < 1) {
    throw new Error('--count must be an integer ≥ 2 and --concurrency an integer ≥ 1');
  }
  const warmup = Math.min(50, count);
  const say = (line: string) => process.stdout.write(`${line}\n`);

  const tenantId = 'bench';
  const secret = randomBytes(24).toString('base64');
  const taskQueue = 'bench-intake';
  const stops: (() => Promise<unknown>)[] = [];
  try {
    say('Starting an in-memory Temporal dev server, tenant store and gateway…');
    const devServer = await startDevServer({ port: await freePort() });
    stops.push(devServer.stop);
    const store = await openStore({ secretKey: randomBytes(32) });
    stops.push(() => store.close());
    await store.createTenant({
      settings: {
        tenantId,
        displayName: 'Bench Shop',
        finaleAccountName: 'bench',
        destinationFacilityName: 'Main Warehouse',
      },
      secrets: { finaleApiKey: 'k', finaleApiSecret: 's', loopApiKey: 'l', loopWebhookSecret: secret },
    });
    const connection = await Connection.connect({ address: devServer.address });
    stops.push(() => connection.close());
    const client = new Client({ connection });
    // Production-like: request logging on (to /dev/null), rate limiting on with room for the whole run.
    const env = parseEnv({
      PUBLIC_BASE_URL: 'https://bench.example.test',
      WEBHOOK_TENANT_RATE_LIMIT_MAX: String(10 * count),
    });
    const gateway = await startGateway({
      host: '127.0.0.1',
      port: 0,
      logger: createLogger({ level: 'info' }, pino.destination({ dest: '/dev/null', sync: false })),
      env,
      store,
      temporal: { client, taskQueue },
    });
    stops.push(() => gateway.server.close());

    // Full Loop payloads (PII and all, as Loop sends them), each a distinct return.
    const loop = new LoopSimulatorState();
    loop.seedShop({ name: 'Bench Shop', apiKey: 'bench', webhookSecret: secret });
    const bodies = Array.from({ length: 3 * (count + warmup) }, (_, i) =>
      phpJson({
        ...loop.seedReturn({
          orderName: `#${10_000 + i}`,
          items: [{ sku: 'TEE-BLK-M', returnReason: 'Too small', quantity: 2 }, { sku: 'CAP-RED' }],
        }),
        topic: 'return',
        trigger: 'return.created',
        shop_id: 1,
      }),
    );
    const viaGateway = bodies.slice(0, count + warmup);
    const raw: LoopReturn[] = bodies
      .slice(count + warmup, 2 * (count + warmup))
      .map((body) => parseReturnWebhook(JSON.parse(body)).return);
    const viaFloor = bodies.slice(2 * (count + warmup));
    const floor = await startHttpFloor((loopReturn) =>
      startReturnWorkflow(client, taskQueue, {
        tenantId,
        loopReturnId: `floor-${loopReturn.id}`,
        loopReturn,
      }),
    );
    stops.push(floor.close);

    const load = fork(fileURLToPath(import.meta.url), [], {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, BENCH_INTAKE_ROLE: 'load' },
      stdio: 'inherit',
    });
    stops.push(async () => load.connected && load.disconnect());
    const url = `${gateway.url}/webhooks/loop/${tenantId}`;
    /** One batch from the load process; the CPU figure is this (the gateway's) process, the load's apart. */
    const fire = async (slice: string[], target = url): Promise<Timing & { loadCpuMs: number }> => {
      const deliveries = slice.map((body) => ({
        body,
        signature: createHmac('sha256', secret).update(body).digest('base64'),
      }));
      const cpu = process.cpuUsage();
      const reply = await new Promise<LoadReply>((resolve, reject) => {
        load.once('message', (message) => {
          load.off('error', reject);
          resolve(message as LoadReply);
        });
        load.once('error', reject);
        load.send({ url: target, deliveries, concurrency } satisfies LoadRequest);
      });
      const { user, system } = process.cpuUsage(cpu);
      if (reply.failures.length > 0) {
        throw new Error(`${reply.failures.length} webhooks were not started, e.g. ${reply.failures[0]}`);
      }
      return { ...reply, cpuMs: (user + system) / 1_000, loadCpuMs: reply.cpuMs };
    };
    const startRaw = (slice: LoopReturn[]) =>
      timed(slice, concurrency, async (loopReturn) => {
        const started = await startReturnWorkflow(client, taskQueue, {
          tenantId,
          loopReturnId: `raw-${loopReturn.id}`,
          loopReturn,
        });
        if (!started) throw new Error(`raw start of ${loopReturn.id} found a duplicate`);
      });

    say(`Warming up (${warmup} of each)…`);
    await fire(viaGateway.slice(0, warmup));
    await startRaw(raw.slice(0, warmup));
    await fire(viaFloor.slice(0, warmup), floor.url);

    // Interleaved in ABBA rounds, so drift (the dev server filling up) and bursts of load from other
    // processes on the machine fall on both sides alike.
    const rounds = 4;
    const gatewayWork = viaGateway.slice(warmup);
    const rawWork = raw.slice(warmup);
    const floorWork = viaFloor.slice(warmup);
    const chunk = <T>(items: T[], index: number) =>
      items.slice(
        Math.floor((index * count) / (2 * rounds)),
        Math.floor(((index + 1) * count) / (2 * rounds)),
      );
    say(`Measuring ${count} each of webhooks, raw starts and floor webhooks, concurrency ${concurrency}…`);
    const gatewayRuns: Awaited<ReturnType<typeof fire>>[] = [];
    const floorRuns: Awaited<ReturnType<typeof fire>>[] = [];
    const rawRuns: Timing[] = [];
    for (let round = 0; round < rounds; round++) {
      rawRuns.push(await startRaw(chunk(rawWork, 2 * round)));
      gatewayRuns.push(await fire(chunk(gatewayWork, 2 * round)));
      floorRuns.push(await fire(chunk(floorWork, 2 * round), floor.url));
      floorRuns.push(await fire(chunk(floorWork, 2 * round + 1), floor.url));
      gatewayRuns.push(await fire(chunk(gatewayWork, 2 * round + 1)));
      rawRuns.push(await startRaw(chunk(rawWork, 2 * round + 1)));
    }

    const viaHttp = summarise(gatewayRuns);
    const direct = summarise(rawRuns);
    const viaFloorHttp = summarise(floorRuns);
    const ratio = viaHttp.rate / direct.rate;
    const row = (name: string, s: ReturnType<typeof summarise>) =>
      `  ${name.padEnd(34)}${[s.rate.toFixed(0), s.p50.toFixed(1), s.p99.toFixed(1), s.cpuMsEach.toFixed(2)]
        .map((cell) => cell.padStart(10))
        .join('')}`;
    const loadCpuMsEach = gatewayRuns.reduce((sum, run) => sum + run.loadCpuMs, 0) / count;
    say('');
    say(`  ${''.padEnd(34)}${['per s', 'p50 ms', 'p99 ms', 'CPU ms'].map((h) => h.padStart(10)).join('')}`);
    say(row('webhooks via the gateway (HTTP)', viaHttp));
    say(row('raw client.workflow.start', direct));
    say(row('floor: bare Node HTTP + start', viaFloorHttp));
    say('');
    say(`  ratio (gateway / raw): ${ratio.toFixed(2)}  (target ≥ 0.90: ${ratio >= 0.9 ? 'met' : 'NOT met'})`);
    say(
      `  floor / raw: ${(viaFloorHttp.rate / direct.rate).toFixed(2)} (the most any HTTP intake reaches here); ` +
        `gateway / floor: ${(viaHttp.rate / viaFloorHttp.rate).toFixed(2)}`,
    );
    say(
      `  CPU ms = this process's CPU per webhook or start; the load process used ${loadCpuMsEach.toFixed(2)} ms ` +
        `per webhook on top (${os.availableParallelism()} CPUs, load average ${os.loadavg()[0]!.toFixed(1)})`,
    );
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  }
}

if (process.env.BENCH_INTAKE_ROLE === 'load') {
  // One batch per message, until the parent disconnects.
  process.on('message', (request: LoadRequest) => {
    void fireWebhooks(request).then((reply) => process.send?.(reply));
  });
  process.once('disconnect', () => process.exit(0));
} else {
  await main();
}
