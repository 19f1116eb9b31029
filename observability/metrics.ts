import { Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The process's one Prometheus registry: the gateway serves it at /metrics, and the gateway's and the
 * worker's application metrics register on it. Temporal SDK metrics have their own exporter (the Rust core).
 */
export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry });
