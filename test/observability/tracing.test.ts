// Optional tracing: off without an OTLP endpoint; with one, a return's workflow start, the activities its
// workflow schedules and their executions are exported as linked spans over OTLP/HTTP.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTracing, type Tracing } from '../../observability/tracing.ts';
import { startReturnWorkflow } from '../../temporal/workflow-starts.ts';
import { createWorker } from '../../worker/create-worker.ts';
import { Client } from '@temporalio/client';
import { startPipeline, type Pipeline } from '../support/pipeline.ts';
import { connectToDevServer, uniqueTaskQueue } from '../support/temporal.ts';

interface ExportedSpan {
  name: string;
  traceId: string;
}

/** A stand-in OTLP/HTTP collector that keeps what it receives. */
async function startCollector() {
  const bodies: { path: string; body: string }[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      bodies.push({ path: request.url ?? '', body });
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    bodies,
    spans(): ExportedSpan[] {
      return bodies.flatMap(({ body }) => {
        const parsed = JSON.parse(body) as {
          resourceSpans: { scopeSpans: { spans: ExportedSpan[] }[] }[];
        };
        return parsed.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans));
      });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('OpenTelemetry tracing', () => {
  it('is off unless OTEL_EXPORTER_OTLP_ENDPOINT is set', () => {
    expect(startTracing({ OTEL_SERVICE_NAME: 'x' })).toBeUndefined();
  });

  describe('with an OTLP endpoint', () => {
    let dev: Awaited<ReturnType<typeof connectToDevServer>>;
    let pipeline: Pipeline;
    let collector: Awaited<ReturnType<typeof startCollector>>;
    let tracing: Tracing;

    beforeAll(async () => {
      dev = await connectToDevServer();
      pipeline = await startPipeline({
        client: dev.client,
        nativeConnection: dev.nativeConnection,
        settings: { tenantId: 'tracing-test' },
      });
      collector = await startCollector();
      tracing = startTracing({
        OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
        OTEL_SERVICE_NAME: 'bridge-test',
      })!;
    });
    afterAll(async () => {
      await pipeline?.close();
      await collector?.close();
      await dev?.close();
    });

    it('exports the start, the activities the workflow schedules and their runs as one trace', async () => {
      const taskQueue = uniqueTaskQueue('traced');
      const client = new Client({
        connection: dev.client.connection,
        interceptors: { workflow: tracing.clientInterceptors },
      });
      const worker = await createWorker({
        connection: dev.nativeConnection,
        namespace: 'default',
        taskQueue,
        client,
        store: pipeline.store,
        endpoints: pipeline.endpoints,
        tracing,
      });
      pipeline.seedOrder('6001', ['MUG-WHT']);
      const loopReturn = pipeline.submitReturn('#6001', [{ sku: 'MUG-WHT', returnReason: 'Too small' }]);
      await worker.runUntil(async () => {
        await startReturnWorkflow(client, taskQueue, {
          tenantId: pipeline.tenantId,
          loopReturnId: loopReturn.id,
          loopReturn,
        });
        await pipeline.waitForState(loopReturn.id, (s) => s.stage === 'awaiting-finale-completion');
      });
      await tracing.shutdown();

      expect(collector.bodies.every((b) => b.path === '/v1/traces')).toBe(true);
      expect(collector.bodies.some((b) => b.body.includes('"bridge-test"'))).toBe(true);
      const spans = collector.spans();
      const names = spans.map((s) => s.name);
      expect(names).toContain('StartWorkflow:returnWorkflow');
      // Scheduled from inside the workflow: exported through the workflow interceptors' sink.
      expect(names).toContain('StartActivity:createReturnInFinale');
      expect(names).toContain('RunActivity:createReturnInFinale');
      const start = spans.find((s) => s.name === 'StartWorkflow:returnWorkflow')!;
      const activity = spans.find((s) => s.name === 'RunActivity:createReturnInFinale')!;
      const scheduled = spans.find((s) => s.name === 'StartActivity:createReturnInFinale')!;
      expect(scheduled.traceId).toBe(start.traceId);
      expect(activity.traceId).toBe(start.traceId);
    });
  });
});
