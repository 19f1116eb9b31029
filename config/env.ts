import net from 'node:net';
import { z } from 'zod';
import { parseBudgetRule } from '../integrations/budget-rules.ts';

const port = z.coerce.number().int().min(0).max(65_535);
const optionalString = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

/** A `host:port` to listen on, or `off`; the default applies when unset or empty. */
function hostPortOrOff(fallback: string) {
  return z
    .string()
    .trim()
    .transform((v) => (v === '' ? fallback : v))
    .refine((v) => v === 'off' || /^[^\s:]+:\d{1,5}$/.test(v), {
      error: 'must be host:port (e.g. 0.0.0.0:9464) or "off"',
    })
    .transform((v) => (v === 'off' ? undefined : v))
    .prefault(fallback);
}

/** A per-credential API budget written as `<calls>/<window>` (e.g. `120/min`); the default applies when unset. */
function budgetRule(fallback: string) {
  return z
    .string()
    .trim()
    .transform((v, ctx) => {
      const rule = parseBudgetRule(v === '' ? fallback : v);
      if (typeof rule !== 'string') return rule;
      ctx.addIssue({ code: 'custom', message: rule });
      return z.NEVER;
    })
    .prefault(fallback);
}

/** An address or CIDR block, e.g. `10.0.0.7`, `10.0.0.0/8` or `fd00::/8`. */
function isAddressOrCidr(entry: string): boolean {
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = net.isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

const trustProxyHint =
  'give the number of proxies in front of the gateway (e.g. 1), or their addresses or CIDR blocks separated ' +
  'by commas (e.g. 10.0.0.0/8,fd00::/8)';

/**
 * Which proxies' X-Forwarded-For the gateway believes: none, a hop count, or addresses/CIDRs. Never "any"
 * (`true`): then every client could name its own address and escape the per-address rate limits.
 */
const trustProxy = optionalString.transform((value, ctx): false | number | string[] => {
  if (value === undefined || value === 'false' || value === '0') return false;
  if (value === 'true') {
    ctx.addIssue({
      code: 'custom',
      message: `"true" would trust any X-Forwarded-For, so any client could choose its own address; ${trustProxyHint}`,
    });
    return z.NEVER;
  }
  if (/^\d+$/.test(value)) return Number(value);
  const entries = value.split(',').map((entry) => entry.trim());
  const bad = entries.filter((entry) => !isAddressOrCidr(entry));
  if (bad.length === 0) return entries;
  ctx.addIssue({
    code: 'custom',
    message: `${bad.map((b) => JSON.stringify(b)).join(', ')}: not an address or CIDR block; ${trustProxyHint}`,
  });
  return z.NEVER;
});

/** Every environment variable the service reads, validated once at start-up. */
export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATA_DIR: z.string().min(1).default('.data'),

  TEMPORAL_ADDRESS: optionalString.describe(
    'host:port of an existing Temporal frontend; unset = embedded dev server',
  ),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('loop-finale'),
  TEMPORAL_CLI_PATH: optionalString,
  TEMPORAL_DEV_PORT: port.default(7233),
  WORKFLOW_BUNDLE_PATH: optionalString.describe(
    'Prebuilt workflow bundle (npm run build:workflows); unset = bundle at start',
  ),
  TEMPORAL_UI_PORT: port.default(8233),
  TEMPORAL_API_KEY: optionalString.describe('Temporal Cloud API key; implies TLS'),
  TEMPORAL_TLS: z
    .enum(['true', 'false'], { error: 'must be "true" or "false"' })
    .optional()
    .transform((v) => v === 'true')
    .describe('Connect to Temporal over TLS (implied by an API key or a client certificate)'),
  TEMPORAL_TLS_CERT_PATH: optionalString.describe('mTLS client certificate (PEM) for Temporal'),
  TEMPORAL_TLS_KEY_PATH: optionalString.describe('mTLS client private key (PEM) for Temporal'),
  TEMPORAL_TLS_CA_PATH: optionalString.describe(
    "CA (PEM) for the Temporal server's certificate; unset = system CAs",
  ),
  TEMPORAL_TLS_SERVER_NAME: optionalString.describe(
    "Overrides the server name checked in Temporal's certificate",
  ),
  TEMPORAL_METRICS_ADDRESS: hostPortOrOff('127.0.0.1:9464').describe(
    'host:port where the Temporal SDK serves its Prometheus metrics; "off" disables',
  ),
  WORKER_METRICS_ADDRESS: hostPortOrOff('127.0.0.1:9465').describe(
    'host:port where a stand-alone worker serves application metrics; "off" disables',
  ),
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce
    .number()
    .int()
    .refine((n) => n === 0 || n >= 2, { error: 'must be 0 (no cache) or at least 2' })
    .default(500)
    .describe(
      'Workflows a worker keeps in memory between their tasks (about 20 KiB each); the rest are replayed ' +
        'from their short histories when they wake. Bounds worker memory whatever the number of open returns',
    ),
  WORKER_MAX_CONCURRENT_ACTIVITIES: z.coerce
    .number()
    .int()
    .min(1)
    .default(50)
    .describe('Activities (API calls) a worker runs at once; API budgets still bound each merchant'),
  WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: z.coerce
    .number()
    .int()
    .min(2)
    .default(20)
    .describe('Workflow tasks a worker runs at once (at least 2)'),
  WORKER_SHUTDOWN_GRACE_MS: z.coerce
    .number()
    .int()
    .min(0)
    .default(5_000)
    .describe(
      'On SIGTERM, how long running activities may finish before they are cancelled (Temporal retries them)',
    ),
  OTEL_EXPORTER_OTLP_ENDPOINT: optionalString
    .pipe(z.url().optional())
    .describe('OTLP/HTTP collector (e.g. http://localhost:4318); set = OpenTelemetry tracing on'),
  OTEL_SERVICE_NAME: z.string().min(1).default('loop-finale-bridge'),

  DEMO_MODE: z
    .enum(['auto', 'off'])
    .default('auto')
    .describe('npm start: run the simulators and demo tenant while no real tenant exists (auto), or never'),
  FINALE_SIM_PORT: port.default(4010),
  LOOP_SIM_PORT: port.default(4020),

  GATEWAY_HOST: z.string().min(1).default('127.0.0.1'),
  GATEWAY_PORT: port.default(3000),
  GATEWAY_URL: optionalString
    .pipe(z.url().optional())
    .describe('Where the CLI reaches the gateway; unset = http://GATEWAY_HOST:GATEWAY_PORT'),
  PUBLIC_BASE_URL: optionalString
    .pipe(z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).optional())
    .describe(
      'URL at which Loop and merchants reach the gateway; webhook and onboarding URLs are built on it, never ' +
        'on request headers. Required outside demo mode',
    ),
  GATEWAY_TRUST_PROXY: trustProxy.describe(
    'Proxies whose X-Forwarded-For the gateway trusts: a hop count, or comma-separated addresses and CIDRs, ' +
      'so rate limits key on the real client; unset = none ("true" is refused)',
  ),
  GATEWAY_TEMPORAL_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(100)
    .default(5_000)
    .describe('How long a webhook or admin request waits for Temporal before answering 503'),
  WEBHOOK_BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1_024)
    .default(1_048_576)
    .describe('Largest webhook body accepted; larger answers 413'),
  WEBHOOK_UNVERIFIED_RATE_LIMIT_MAX: z.coerce
    .number()
    .int()
    .min(1)
    .default(120)
    .describe(
      'Webhook requests failing verification (unknown tenant, bad signature, unreadable) per client address ' +
        'per RATE_LIMIT_WINDOW_MS; past it the address is answered 429 before any check',
    ),
  WEBHOOK_TENANT_RATE_LIMIT_MAX: z.coerce
    .number()
    .int()
    .min(1)
    .default(6_000)
    .describe('Verified webhook deliveries per tenant per RATE_LIMIT_WINDOW_MS; past it 429 (Loop retries)'),
  ONBOARDING_RATE_LIMIT_MAX: z.coerce
    .number()
    .int()
    .min(1)
    .default(120)
    .describe('Onboarding page requests per client address per RATE_LIMIT_WINDOW_MS'),
  READYZ_RATE_LIMIT_MAX: z.coerce
    .number()
    .int()
    .min(1)
    .default(60)
    .describe('/readyz requests per client address per RATE_LIMIT_WINDOW_MS'),
  RATE_LIMIT_WINDOW_MS: z.coerce.number().int().min(1_000).default(60_000),
  GATEWAY_METRICS_ADDRESS: optionalString
    .refine((v) => v === undefined || /^[^\s:]+:\d{1,5}$/.test(v), {
      error: 'must be host:port (e.g. 10.0.0.5:9466)',
    })
    .describe(
      "host:port where the gateway serves /metrics instead of on its public port; unset = gateway's port",
    ),
  METRICS_TOKEN: optionalString
    .refine((v) => v === undefined || v.length >= 24, { error: 'must be at least 24 characters' })
    .describe("Bearer token /metrics on the gateway's port requires; unset = no token"),
  ADMIN_TOKEN: optionalString
    .refine((v) => v === undefined || v.length >= 24, { error: 'must be at least 24 characters' })
    .describe('Bearer token for the admin API; unset = admin API disabled (npm start generates one)'),

  FINALE_BASE_URL: z.url().default('https://app.finaleinventory.com').describe('Finale API origin'),
  LOOP_BASE_URL: z
    .url()
    .default('https://api.loopreturns.com/api')
    .describe('Loop API root, before the version'),
  LOOP_API_VERSION: z
    .string()
    .regex(/^(v1|\d{4}-\d{2}|unstable)$/, { error: 'must be a Loop API version such as 2026-07' })
    .default('2026-07'),

  FINALE_GET_BUDGET: budgetRule('120/min').describe(
    'Finale GETs per merchant API key, shared by every worker (Finale: 120/min, third-party report)',
  ),
  FINALE_POST_BUDGET: budgetRule('120/min').describe(
    'Finale POSTs per merchant API key, shared by every worker (Finale: 120/min, third-party report)',
  ),
  FINALE_COLLECTION_BUDGET: budgetRule('300/h').describe(
    'Finale collection reads per merchant API key, shared by every worker (Finale: 300/h, third-party report)',
  ),
  LOOP_BUDGET: budgetRule('300/min').describe(
    'Loop calls per merchant API key, shared by every worker (Loop documents 300/min)',
  ),
  API_BUDGET_MAX_WAIT_MS: z.coerce
    .number()
    .int()
    .min(100)
    .default(30_000)
    .describe('Longest a call waits for its budget before its activity is retried later instead'),
  API_RATE_LIMIT_MAX_WAIT_MS: z.coerce
    .number()
    .int()
    .min(1_000)
    .default(900_000)
    .describe('Longest wait a 429 reset may ask for; a longer one is logged and the API default used'),
  API_MAX_RESPONSE_BYTES: z.coerce
    .number()
    .int()
    .min(65_536)
    .default(16_777_216)
    .describe('Largest Loop or Finale response body read; a larger one is aborted (retryable)'),
  LOOP_LIST_MAX_PAGES: z.coerce
    .number()
    .int()
    .min(1)
    .default(200)
    .describe('Pages of one Loop returns-list window read at most (750 returns a page)'),

  ALERT_WEBHOOK_URL: z
    .url()
    .optional()
    .describe('Slack-compatible incoming webhook told when a return needs a human, and when it recovers'),
  TEMPORAL_UI_URL: z.url().optional().describe('Temporal Web UI base URL, for links in alerts'),

  DATABASE_URL: optionalString
    .refine((v) => v === undefined || /^postgres(ql)?:\/\//.test(v), {
      error: 'must be a postgres:// or postgresql:// connection URL',
    })
    .describe('PostgreSQL for the tenant store; unset = embedded PGlite in DATA_DIR'),
  SECRETS_KEY: optionalString
    .refine((v) => v === undefined || /^[A-Za-z0-9+/]{43}=$/.test(v), {
      error: 'must be base64 of exactly 32 bytes (generate one with: openssl rand -base64 32)',
    })
    .describe('AES-256-GCM key for tenant secrets; unset = generated once into DATA_DIR/secrets.key'),
});

export type Env = z.infer<typeof envSchema>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses the environment, reporting every missing or invalid variable at once. */
export function parseEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const result = envSchema.safeParse(source);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const name = issue.path.join('.') || '(environment)';
    return `${name}: ${issue.message}`;
  });
  throw new ConfigError(problems);
}

/** For process entry points: print every problem and exit non-zero instead of starting half-configured. */
export function loadEnvOrExit(source: NodeJS.ProcessEnv = process.env): Env {
  try {
    return parseEnv(source);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}
