import type { AddressInfo } from 'node:net';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyServerOptions,
} from 'fastify';
import type { Env } from '../config/env.ts';
import { app, type AppOptions } from './app.ts';
import { RequestLog, requestSummary } from './plugins/request-log.ts';

export interface GatewayOptions extends AppOptions {
  host: string;
  port: number;
  logger: FastifyBaseLogger;
}

/**
 * GATEWAY_TRUST_PROXY as Fastify takes it. A hop count trusts that many proxies nearest the gateway
 * (Fastify's own number form trusts none); addresses and CIDRs trust exactly those peers.
 */
export function trustProxy(setting: Env['GATEWAY_TRUST_PROXY']): FastifyServerOptions['trustProxy'] {
  if (typeof setting !== 'number') return setting;
  return (_address: string, hop: number) => hop < setting;
}

/**
 * Fastify answers a path it cannot decode, or a path parameter past its length limit, before any hook
 * runs, quoting the path; an onboarding path carries a link's token. These answers say what was wrong
 * without it.
 */
function frameworkErrors(error: FastifyError, _request: unknown, reply: FastifyReply): void {
  const tooLong = error.code === 'FST_ERR_MAX_PARAM_LENGTH';
  void reply.status(tooLong ? 414 : 400).send({
    error: tooLong ? 'URI Too Long' : 'Bad Request',
    message: tooLong ? 'A part of the request path is too long.' : 'The request path is not a valid URL.',
  });
}

/** The gateway on its own Fastify instance, ready for `inject` or `listen`. */
export async function createGatewayServer(
  options: Omit<GatewayOptions, 'host' | 'port'>,
): Promise<FastifyInstance> {
  const { logger, ...appOptions } = options;
  const server: FastifyInstance = Fastify({
    loggerInstance: logger.child({}, { serializers: { req: requestSummary } }),
    logController: new RequestLog(),
    trustProxy: trustProxy(appOptions.env.GATEWAY_TRUST_PROXY),
    frameworkErrors,
  });
  await server.register(app, appOptions);
  return server;
}

/** The thin server around the app plugin: create, register, listen. */
export async function startGateway(
  options: GatewayOptions,
): Promise<{ server: FastifyInstance; url: string }> {
  const { host, port, ...rest } = options;
  const server = await createGatewayServer(rest);
  await server.listen({ host, port });
  const { port: bound } = server.server.address() as AddressInfo;
  return { server, url: `http://${host}:${bound}` };
}
