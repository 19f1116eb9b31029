import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { app, type AppOptions } from './app.ts';

export interface GatewayOptions extends AppOptions {
  host: string;
  port: number;
  logger: FastifyBaseLogger;
}

/** The thin server around the app plugin: create, register, listen. */
export async function startGateway(
  options: GatewayOptions,
): Promise<{ server: FastifyInstance; url: string }> {
  const server: FastifyInstance = Fastify({ loggerInstance: options.logger });
  await server.register(app, { readinessChecks: options.readinessChecks ?? {} });
  await server.listen({ host: options.host, port: options.port });
  const { port } = server.server.address() as AddressInfo;
  return { server, url: `http://${options.host}:${port}` };
}
