// A minimal /metrics endpoint for processes without the gateway (the stand-alone worker), or beside it on
// an internal address (GATEWAY_METRICS_ADDRESS).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { listenChecked, type Listener } from '../startup/ports.ts';
import { metricsRegistry } from './metrics.ts';

export interface MetricsServer {
  url: string;
  close(): Promise<void>;
}

export async function startMetricsServer(registry: Registry, address: string): Promise<MetricsServer> {
  const separator = address.lastIndexOf(':');
  const host = address.slice(0, separator);
  const port = Number(address.slice(separator + 1));
  const server: Server = createServer((request, response) => {
    if (request.method !== 'GET' || request.url?.split('?')[0] !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('Not found: metrics are at /metrics\n');
      return;
    }
    registry.metrics().then(
      (body) => response.writeHead(200, { 'content-type': registry.contentType }).end(body),
      (error: unknown) =>
        response.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${String(error)}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const bound = server.address() as AddressInfo;
  return {
    url: `http://${host}:${bound.port}/metrics`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/**
 * The application metrics at a metrics listener's address, when one is configured (`listeners.workerMetrics`,
 * `listeners.gatewayMetrics`); a port in use fails start-up naming the setting that moves it.
 */
export async function serveAppMetrics(listener: Listener | undefined): Promise<MetricsServer | undefined> {
  if (!listener) return undefined;
  return listenChecked([listener], () =>
    startMetricsServer(metricsRegistry, `${listener.host}:${listener.port}`),
  );
}
