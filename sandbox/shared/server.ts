import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';

export interface SimulatorOptions<SettingsPatch> {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Fastify request logging. */
  logger?: boolean;
  /** Starting settings, restored by a reset. */
  settings?: SettingsPatch;
}

/** What `startFinaleSimulator` and `startLoopSimulator` resolve to. */
export interface RunningSimulator<State> {
  /** Origin, e.g. `http://127.0.0.1:4010`; the controls live under `${url}/__control/`. */
  url: string;
  /** What the integration's client takes as its `baseUrl`. */
  apiBaseUrl: string;
  /** The simulator's records, faults, call counts and settings, with every control as a method. */
  state: State;
  /** Ends background work and stops the server. */
  close(): Promise<void>;
}

/**
 * Serves a simulator's state over HTTP: `register` adds its API and controls to the app. `apiPath` is what
 * the API client's base URL adds to the origin.
 */
export async function startSimulator<State extends { stop(): Promise<void> }>(
  state: State,
  options: SimulatorOptions<unknown>,
  { apiPath, register }: { apiPath: string; register: (app: FastifyInstance) => void },
): Promise<RunningSimulator<State>> {
  const app = Fastify({ logger: options.logger ?? false, forceCloseConnections: true });
  register(app);
  const host = options.host ?? '127.0.0.1';
  await app.listen({ port: options.port ?? 0, host });
  const { port } = app.server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    url,
    apiBaseUrl: `${url}${apiPath}`,
    state,
    close: async () => {
      await state.stop();
      await app.close();
    },
  };
}

/** Closes the connection without an answer, as a network failure or a client-side timeout would look. */
export function dropConnection(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  reply.hijack();
  request.raw.socket.destroy();
  return reply;
}

const PAD_CHUNK = 'x'.repeat(64 * 1024);

/** Answers 200 with a JSON object exactly `bytes` long, generated as it is sent (a `huge-body` fault). */
export function sendHugeBody(reply: FastifyReply, fault: { bytes: number; chunked: boolean }): FastifyReply {
  const head = '{"padding":"';
  const tail = '"}';
  async function* chunks() {
    yield head;
    for (let left = fault.bytes - head.length - tail.length; left > 0; left -= PAD_CHUNK.length) {
      yield left >= PAD_CHUNK.length ? PAD_CHUNK : PAD_CHUNK.slice(0, left);
    }
    yield tail;
  }
  void reply.code(200).type('application/json');
  if (!fault.chunked) void reply.header('content-length', String(fault.bytes));
  return reply.send(Readable.from(chunks()));
}
