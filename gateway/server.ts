import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { app, type AppOptions } from './app.ts';
import { RequestLog, requestSummary } from './plugins/request-log.ts';

export interface GatewayOptions extends AppOptions {
  host: string;
  port: number;
  logger: FastifyBaseLogger;
}

/** The thin server around the app plugin: create, register, listen. */
export async function startGateway(
  options: GatewayOptions,
): Promise<{ server: FastifyInstance; url: string }> {
  const { host, port, logger, ...appOptions } = options;
  const server: FastifyInstance = Fastify({
    loggerInstance: logger.child({}, { serializers: { req: requestSummary() } }),
    logController: new RequestLog(),
    trustProxy: appOptions.env.GATEWAY_TRUST_PROXY,
  });
  await server.register(app, appOptions);
  await server.listen({ host, port });
  const { port: bound } = server.server.address() as AddressInfo;
  return { server, url: `http://${host}:${bound}` };
}
