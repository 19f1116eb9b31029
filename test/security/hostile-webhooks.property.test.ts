// Issue 10, done-when: 10,000 hostile webhooks give no answer of 5xx and start no workflow. Every request
// below fails verification or validation by construction: unsigned or wrongly signed, for an unknown tenant
// or a tenant ID with path tricks, or signed by the tenant over a body that is truncated, oversized, deeply
// nested, not UTF-8, holds lone surrogates, carries IDs too large for a double or is no return webhook —
// each under every kind of content type. The gateway runs whole (startGateway) on a stubbed Temporal client
// that records starts, over inject; a smaller sample goes over real HTTP.
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newTenant } from '../store/tenant-fixture.ts';
import { loopReturns, sign } from '../gateway/gateway-fixture.ts';
import { startGatewayWorld, type GatewayWorld } from './support/gateway-world.ts';

const tenantId = `hostile-${randomBytes(3).toString('hex')}`;
const otherTenantId = `hostile-other-${randomBytes(3).toString('hex')}`;
const secret = newTenant(tenantId).secrets.loopWebhookSecret;
const otherSecret = newTenant(otherTenantId).secrets.loopWebhookSecret;
const BODY_LIMIT = 64 * 1024;

/** A valid `return.created` body as Loop's PHP encoder writes it (escaped slashes, PII and all). */
const { body: validText } = loopReturns().webhook('return.created');
const valid = JSON.parse(validText) as Record<string, unknown>;
const lineItems = valid.line_items as Record<string, unknown>[];

const text = (value: string) => Buffer.from(value, 'utf8');
const json = (value: unknown) => text(JSON.stringify(value));
/** A field of the valid body replaced by raw JSON text (numbers JSON.parse cannot hold exactly). */
const withRaw = (field: string, raw: string) =>
  text(JSON.stringify({ ...valid, [field]: '\u0000RAW\u0000' }).replace('"\\u0000RAW\\u0000"', raw));

/** Bodies that fail validation even when correctly signed. */
const invalidBodies: fc.Arbitrary<Buffer> = fc.oneof(
  // Truncated anywhere: no strict prefix of a JSON object is JSON.
  fc.integer({ min: 0, max: validText.length - 1 }).map((length) => text(validText.slice(0, length))),
  // Oversized: past the body limit.
  fc
    .integer({ min: BODY_LIMIT + 1, max: BODY_LIMIT * 4 })
    .map((size) => json({ ...valid, padding: 'x'.repeat(size) })),
  // Deeply nested: around the whole body, in place of a field, or past what the parser will walk.
  fc
    .integer({ min: 1, max: 5_000 })
    .map((depth) => text(`${'['.repeat(depth)}${validText}${']'.repeat(depth)}`)),
  fc
    .tuple(
      fc.constantFrom('id', 'state', 'line_items', 'topic', 'trigger'),
      fc.integer({ min: 1, max: 2_000 }),
    )
    .map(([field, depth]) => withRaw(field, `${'['.repeat(depth)}1${']'.repeat(depth)}`)),
  fc
    .integer({ min: 20_000, max: 30_000 })
    .map((depth) => withRaw('notes', `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`)),
  // Not UTF-8: a stray byte inside the text.
  fc
    .tuple(fc.integer({ min: 1, max: validText.length - 2 }), fc.constantFrom(0x80, 0xc0, 0xed, 0xfe, 0xff))
    .map(([at, byte]) => {
      const bytes = Buffer.from(validText, 'utf8');
      return Buffer.concat([bytes.subarray(0, at), Buffer.from([byte]), bytes.subarray(at)]);
    }),
  // Lone surrogates, escaped as JSON allows, in a value or a key.
  fc
    .tuple(
      fc.constantFrom('id', 'state', 'order_name', 'return_reason'),
      fc.integer({ min: 0xd800, max: 0xdfff }),
    )
    .map(([field, code]) => {
      const escape = `\\u${code.toString(16)}`;
      if (field === 'return_reason') {
        return text(validText.replace('"return_reason":"', `"return_reason":"${escape}`));
      }
      return withRaw(field, `"12${escape}"`);
    }),
  fc
    .integer({ min: 0xd800, max: 0xdfff })
    .map((code) => text(validText.replace('{', `{"\\u${code.toString(16)}":1,`))),
  // IDs that are numbers too large for a double (or not numbers JSON can hold at all).
  fc
    .tuple(
      fc.constantFrom('id', 'shop_id'),
      fc.constantFrom(
        '9007199254740993',
        '123456789012345678901234567890',
        '-98765432109876543210',
        '1e400',
        '1.5',
        '-0.000001',
      ),
    )
    .map(([field, raw]) => withRaw(field, raw)),
  fc
    .constantFrom('line_item_id', 'variant_id')
    .map((field) => json({ ...valid, line_items: [{ ...lineItems[0], [field]: '\u0000RAW\u0000' }] }))
    .map((body) => text(body.toString().replace('"\\u0000RAW\\u0000"', '12345678901234567890123'))),
  // Return IDs no workflow ID or admin path may hold.
  fc
    .constantFrom('../../etc/passwd', 'a/b', 'x'.repeat(65), ' ', '%2e%2e', 'return 1', '١٢٣')
    .map((id) => json({ ...valid, id })),
  // JSON, but no return webhook: wrong shapes, missing fields, prototype keys.
  fc
    .jsonValue({ maxDepth: 3 })
    .filter((value) => typeof value !== 'object' || value === null || Array.isArray(value))
    .map(json),
  fc.constantFrom('id', 'state', 'topic', 'trigger').map((field) => {
    const { [field]: _dropped, ...rest } = valid;
    return json(rest);
  }),
  fc.constantFrom(
    text(`{"__proto__":${validText}}`),
    text(`{"constructor":{"prototype":${validText}}}`),
    text('{"topic":"return","trigger":"return.created","__proto__":{"id":7,"state":"open"}}'),
  ),
  fc.uint8Array({ maxLength: 2_048 }).map((bytes) => Buffer.from(bytes)),
);

/** Any body at all, for requests that fail verification anyway. */
const anyBody = fc.oneof(
  { weight: 3, arbitrary: fc.constant(text(validText)) },
  { weight: 5, arbitrary: invalidBodies },
  fc.string({ maxLength: 512 }).map(text),
);

const printable = (maxLength: number) =>
  fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength });
/** Every kind of content type, and none. */
const contentTypes = fc.oneof(
  fc.constantFrom(
    'application/json',
    'application/json; charset=utf-8',
    'application/json; charset=utf-16',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=xyz',
    'text/plain',
    'text/html',
    'application/xml',
    'application/octet-stream',
    'application/vnd.api+json',
    '*/*',
    'application/json, text/plain',
    '',
    undefined,
  ),
  printable(100),
);

/** Tenant IDs that are no tenant: unknown, malformed, or another one's with a path trick. */
const trickedTenants = fc.oneof(
  fc.constantFrom(
    `../${tenantId}`,
    `..%2F${tenantId}`,
    `%2e%2e%2f${tenantId}`,
    `${tenantId}%00`,
    `${tenantId}%20`,
    `${tenantId.toUpperCase()}`,
    `${tenantId}%2F..`,
    `.%2F${tenantId}`,
    `${tenantId}%E2%80%8B`,
    `${tenantId}%D0%B0`,
    `${tenantId}%C0%AF`,
    `${tenantId}%`,
    `${tenantId}%zz`,
    `${'a'.repeat(64)}`,
    `${tenantId}-`,
    `-${tenantId}`,
    'no-such-tenant',
    '%00',
    '',
  ),
  fc.string({ maxLength: 80 }).map(encodeURIComponent),
);

/** A signature that does not verify this body for `tenantId`. */
const badSignatures = fc.oneof(
  fc.constant(() => undefined),
  fc.constant(() => ''),
  printable(200).map((junk) => () => junk),
  fc.constant(() => 'A'.repeat(8_192)),
  fc.constant((body: Buffer) => sign(body, otherSecret)),
  fc.constant((body: Buffer) => sign(Buffer.concat([body, text(' ')]), secret)),
  fc.string().map((other) => () => sign(other, secret)),
  fc.constant((body: Buffer) => sign(body, secret).replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'))),
);

const hostile = fc.oneof(
  // Signed by the tenant, with a body that fails validation.
  {
    weight: 5,
    arbitrary: fc.record({ path: fc.constant(tenantId), body: invalidBodies, signed: fc.constant(true) }),
  },
  // Not signed by the tenant (any body, even the valid one): unsigned, junk, or another tenant's key.
  {
    weight: 3,
    arbitrary: fc.record({ path: fc.constant(tenantId), body: anyBody, signature: badSignatures }),
  },
  // For a tenant that is not there, signed with a real tenant's key or not.
  {
    weight: 2,
    arbitrary: fc.record({
      path: trickedTenants,
      body: anyBody,
      signature: fc.oneof(
        fc.constant((body: Buffer) => sign(body, secret)),
        badSignatures,
      ),
    }),
  },
);

/** Headers of no meaning to the gateway, of any length a header may have. */
const oddHeaders = fc.dictionary(fc.stringMatching(/^x-[a-z0-9-]{1,20}$/), printable(2_000), { maxKeys: 4 });

const requests = fc
  .record({ attempt: hostile, contentType: contentTypes, extra: oddHeaders })
  .map(({ attempt, contentType, extra }) => {
    const signature =
      'signed' in attempt
        ? sign(attempt.body, secret)
        : (attempt as { signature: (b: Buffer) => string | undefined }).signature(attempt.body);
    const headers: Record<string, string> = { ...extra };
    if (contentType !== undefined) headers['content-type'] = contentType;
    if (signature !== undefined) headers['x-loop-signature'] = signature;
    return { url: `/webhooks/loop/${attempt.path}`, body: attempt.body, headers };
  });

let world: GatewayWorld;

beforeAll(async () => {
  // Every request reaches verification and parsing: the rate limits have tests of their own.
  world = await startGatewayWorld({
    env: {
      WEBHOOK_BODY_LIMIT_BYTES: String(BODY_LIMIT),
      WEBHOOK_UNVERIFIED_RATE_LIMIT_MAX: '1000000000',
      WEBHOOK_TENANT_RATE_LIMIT_MAX: '1000000000',
    },
  });
  await world.store.createTenant(newTenant(tenantId));
  await world.store.createTenant(newTenant(otherTenantId));
});
afterAll(() => world?.close());

type Answer = { status: number; body: string };

function expectRefused(answer: Answer) {
  expect(answer.status).toBeGreaterThanOrEqual(202);
  expect(answer.status).toBeLessThan(500);
  // 202 only for a well-formed event this integration ignores, never a start.
  if (answer.status < 400) expect(JSON.parse(answer.body)).toEqual({ outcome: 'ignored' });
}

describe('10,000 hostile webhooks', () => {
  it('harness: the valid delivery these are made from starts a workflow', async () => {
    const answer = await world.app.inject({
      method: 'POST',
      url: `/webhooks/loop/${tenantId}`,
      headers: { 'content-type': 'application/json', 'x-loop-signature': sign(validText, secret) },
      payload: validText,
    });
    expect(answer.statusCode).toBe(202);
    expect(world.starts).toHaveLength(1);
    world.starts.length = 0;
  });

  it('get no 5xx and start no workflow, over inject', async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(requests, async ({ url, body, headers }) => {
        // Each run counts its own starts: while fast-check shrinks a failure, an earlier run's start must not
        // be blamed on the input it tries next.
        world.starts.length = 0;
        const response = await world.app.inject({ method: 'POST', url, headers, payload: body });
        statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
        expectRefused({ status: response.statusCode, body: response.body });
        expect(world.starts).toEqual([]);
      }),
      { numRuns: 10_000 },
    );
    // Every kind of refusal was reached: unverified, unreadable, too large, invalid.
    for (const status of [400, 401, 413]) expect(statuses.get(status) ?? 0).toBeGreaterThan(100);
  }, 600_000);

  it('get no 5xx and start no workflow, over real HTTP', async () => {
    const { port } = new URL(world.url);
    const post = (url: string, body: Buffer, headers: Record<string, string>) =>
      new Promise<Answer>((resolve, reject) => {
        const request = http.request(
          { host: '127.0.0.1', port, method: 'POST', path: url, headers, agent: false },
          (response) => {
            let answer = '';
            response.on('data', (chunk: Buffer) => (answer += chunk.toString()));
            response.on('end', () => resolve({ status: response.statusCode ?? 0, body: answer }));
          },
        );
        // The server may answer (413) and close before the whole body is written.
        request.on('error', reject);
        request.end(body);
      });
    await fc.assert(
      fc.asyncProperty(requests, async ({ url, body, headers }) => {
        world.starts.length = 0;
        expectRefused(await post(url, body, headers));
        expect(world.starts).toEqual([]);
      }),
      { numRuns: 300 },
    );
    const hugeHeader = await post(`/webhooks/loop/${tenantId}`, text(validText), {
      'content-type': 'application/json',
      'x-loop-signature': sign(validText, secret),
      'x-huge': 'h'.repeat(32 * 1024),
    });
    expect(hugeHeader.status).toBe(431);
    expect(world.starts).toEqual([]);
    // Still answering, and no prototype was polluted by the keys it was sent.
    expect((await fetch(`${world.url}/healthz`)).status).toBe(200);
    expect(({} as Record<string, unknown>).topic).toBeUndefined();
  }, 300_000);
});
