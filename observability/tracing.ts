// Optional OpenTelemetry tracing, on only when OTEL_EXPORTER_OTLP_ENDPOINT is set: spans for workflow
// starts and signals (client), each workflow run and each activity attempt, linked through Temporal headers
// and exported over OTLP/HTTP. OTel 1.x, matching @temporalio/interceptors-opentelemetry@1.24.0.
import { createRequire } from 'node:module';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import {
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
  OpenTelemetryWorkflowClientInterceptor,
  makeWorkflowExporter,
  type OpenTelemetryWorkflowExporter,
} from '@temporalio/interceptors-opentelemetry';
import type { WorkflowClientInterceptor } from '@temporalio/client';
import type { ActivityInterceptorsFactory, InjectedSink } from '@temporalio/worker';

const workflowInterceptorsModule = createRequire(import.meta.url).resolve(
  '@temporalio/interceptors-opentelemetry/lib/workflow-interceptors',
);

export interface Tracing {
  /** For every `Client` the process creates, so workflow starts and signals carry the trace context. */
  clientInterceptors: WorkflowClientInterceptor[];
  activityInterceptors: ActivityInterceptorsFactory[];
  /**
   * Workflow-side interceptors; only usable when the worker bundles at start-up (a prebuilt bundle would
   * need them at build time, and without the exporter sink registered they would log errors).
   */
  workflowModules: string[];
  sinks: { exporter: InjectedSink<OpenTelemetryWorkflowExporter> };
  /** Exports the spans still buffered, then stops. */
  shutdown(): Promise<void>;
}

export interface TracingEnv {
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;
  OTEL_SERVICE_NAME: string;
}

/** Starts tracing when an OTLP endpoint is configured; `undefined` (no tracing, no cost) otherwise. */
export function startTracing(env: TracingEnv, processor?: SpanProcessor): Tracing | undefined {
  const endpoint = env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!endpoint) return undefined;
  const resource = new Resource({ 'service.name': env.OTEL_SERVICE_NAME });
  const spanProcessor =
    processor ??
    new BatchSpanProcessor(new OTLPTraceExporter({ url: `${endpoint.replace(/\/+$/, '')}/v1/traces` }));
  const provider = new BasicTracerProvider({ resource, spanProcessors: [spanProcessor] });
  // The interceptors carry the trace from client to workflow to activity in Temporal headers, as W3C
  // trace context, reading the active span from the async context: without both registered, every
  // workflow and activity would start a trace of its own.
  provider.register({
    propagator: new W3CTraceContextPropagator(),
    contextManager: new AsyncLocalStorageContextManager(),
  });
  return {
    clientInterceptors: [new OpenTelemetryWorkflowClientInterceptor()],
    activityInterceptors: [
      (ctx) => ({
        inbound: new OpenTelemetryActivityInboundInterceptor(ctx),
        outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
      }),
    ],
    workflowModules: [workflowInterceptorsModule],
    sinks: { exporter: makeWorkflowExporter(spanProcessor, resource) },
    shutdown: () => provider.shutdown(),
  };
}
