// Where the store suites find a real PostgreSQL server: TEST_DATABASE_URL when it is set, otherwise a
// container that testcontainers starts when a Docker engine answers, otherwise none, with the reason printed.
import { randomBytes } from 'node:crypto';
import { afterAll } from 'vitest';
import { freePort } from '../support/free-port.ts';

/** The image when TEST_POSTGRES_IMAGE is unset: the official one, for machines that reach a registry. */
export const defaultPostgresImage = 'postgres:16';

export interface RealPostgres {
  /** A server URL whose role may CREATE DATABASE; undefined when there is none (the reason is printed). */
  url: string | undefined;
  /** Where the server came from, for suite names. */
  source: string;
}

/**
 * The real PostgreSQL server of one test file, for `describe.skipIf(!postgres.url)`. Call it at the top level
 * of the file: a container it starts is stopped after the file's tests.
 */
export async function realPostgres(): Promise<RealPostgres> {
  const configured = process.env.TEST_DATABASE_URL;
  if (configured) return { url: configured, source: 'TEST_DATABASE_URL' };

  const mode = networkMode();
  if (mode === 'host') {
    // The engine runs on this machine. Said here because testcontainers, itself inside a container, would
    // otherwise ask for the gateway of a bridge network that a dockerd run with --bridge=none has not got.
    process.env.TESTCONTAINERS_HOST_OVERRIDE ??= '127.0.0.1';
  }
  const engineProblem = await dockerEngineProblem();
  if (engineProblem) {
    console.warn(
      'Skipping the store suites against a real PostgreSQL server: TEST_DATABASE_URL is not set and no ' +
        `Docker engine answers for testcontainers (${engineProblem}). Start one, or set TEST_DATABASE_URL to ` +
        'a postgres:// URL whose role may CREATE DATABASE.',
    );
    return { url: undefined, source: 'none' };
  }

  const container = await startPostgresContainer(mode);
  afterAll(() => container.stop());
  return { url: container.url, source: `container ${container.image}` };
}

async function dockerEngineProblem(): Promise<string | undefined> {
  const { getContainerRuntimeClient } = await import('testcontainers');
  try {
    await getContainerRuntimeClient();
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

type NetworkMode = 'bridge' | 'host';

function networkMode(): NetworkMode {
  const mode = process.env.TEST_CONTAINER_NETWORK ?? 'bridge';
  if (mode !== 'bridge' && mode !== 'host') {
    throw new Error(`TEST_CONTAINER_NETWORK must be "bridge" or "host", not "${mode}"`);
  }
  return mode;
}

async function startPostgresContainer(mode: NetworkMode) {
  const image = process.env.TEST_POSTGRES_IMAGE || defaultPostgresImage;
  const password = randomBytes(12).toString('hex');
  const { GenericContainer, Wait } = await import('testcontainers');

  // With host networking the server listens on a free loopback port of this machine, so no traffic leaves
  // loopback; otherwise on 5432 inside the container, published on a port Docker picks.
  const port = mode === 'host' ? await freePort() : 5432;
  const server =
    mode === 'host' ? ['-p', String(port), '-c', 'listen_addresses=127.0.0.1'] : ['-c', 'listen_addresses=*'];
  let definition = new GenericContainer(image)
    .withEnvironment({ POSTGRES_PASSWORD: password })
    .withCommand(['postgres', ...server, '-c', 'fsync=off'])
    // Ready means accepting TCP connections: the official image's first-start server listens on a socket only.
    .withWaitStrategy(Wait.forSuccessfulCommand(`pg_isready -h 127.0.0.1 -p ${port} -U postgres`))
    .withStartupTimeout(120_000);
  definition = mode === 'host' ? definition.withNetworkMode('host') : definition.withExposedPorts(port);

  let started;
  try {
    started = await definition.start();
  } catch (error) {
    throw new Error(
      `Could not start a PostgreSQL container from the image "${image}" (TEST_POSTGRES_IMAGE). Where no ` +
        'container registry is reachable, build a local image with `bash .ci/postgres-image/build.sh` and ' +
        'set TEST_POSTGRES_IMAGE to the name it prints, and TESTCONTAINERS_RYUK_DISABLED=true.',
      { cause: error },
    );
  }
  const host = mode === 'host' ? '127.0.0.1' : started.getHost();
  const mappedPort = mode === 'host' ? port : started.getMappedPort(port);
  return {
    image,
    url: `postgres://postgres:${password}@${host}:${mappedPort}/postgres`,
    stop: async () => {
      await started.stop();
    },
  };
}
