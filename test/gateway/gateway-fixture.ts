// Shared set-up for gateway tests: an env, the app on a bare Fastify instance, and Loop-shaped webhooks.
import { createHmac } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
import Fastify, { type FastifyInstance } from 'fastify';
import { parseEnv, type Env } from '../../config/env.ts';
import { app, type AppOptions } from '../../gateway/app.ts';
import { LoopSimulatorState } from '../../sandbox/loop/state.ts';
import { phpJson } from '../../sandbox/loop/payloads.ts';

export const ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';
/** PUBLIC_BASE_URL in tests: a gateway never runs without one. */
export const publicBaseUrl = 'https://gateway.example.test';

export const testEnv = (overrides: Record<string, string> = {}): Env =>
  parseEnv({ LOG_LEVEL: 'silent', ADMIN_TOKEN, PUBLIC_BASE_URL: publicBaseUrl, ...overrides });

export type BuildOptions = Omit<AppOptions, 'env'> & { env?: Env };

/** The app on a bare Fastify instance, for `inject`. */
export async function buildApp(options: BuildOptions): Promise<FastifyInstance> {
  const fastify = Fastify();
  await fastify.register(app, { ...options, env: options.env ?? testEnv() });
  return fastify;
}

export const sign = (body: string | Buffer, secret: string) =>
  createHmac('sha256', secret).update(body).digest('base64');

/**
 * Full Loop return objects (customer PII included) as Loop's PHP encoder writes them, from the Loop
 * simulator's own renderer, with fresh return IDs.
 */
export function loopReturns() {
  const loop = new LoopSimulatorState();
  loop.seedShop({ name: 'Fixture Shop', apiKey: 'fixture-key', webhookSecret: 'unused' });
  let order = 5000;
  return {
    /** A new return and the body of one of its webhooks. */
    webhook(trigger = 'return.created', topic = 'return') {
      const orderName = `#${order++}`;
      const rendered = loop.seedReturn({
        orderName,
        items: [
          { sku: 'TEE-BLK-M', returnReason: 'Too small' },
          { sku: 'CAP-RED', returnReason: 'Damaged' },
        ],
      });
      return this.body(rendered, trigger, topic);
    },
    /** Another webhook for a return already made. */
    body(rendered: Record<string, unknown>, trigger: string, topic = 'return') {
      const body = phpJson({ ...rendered, topic, trigger, shop_id: 1 });
      return { body, loopReturnId: String(rendered.id), rendered };
    },
  };
}

/** Runs of a workflow ID in Temporal's visibility store, waiting out its short indexing lag. */
export async function countRuns(client: Client, workflowId: string, timeoutMs = 5_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let runs = 0;
    for await (const _ of client.workflow.list({ query: `WorkflowId = "${workflowId}"` })) runs++;
    if (runs > 0 || Date.now() > deadline) return runs;
    await delay(100);
  }
}
