import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  LoopWebhookPayloadError,
  parseReturnWebhook,
  verifyLoopSignature,
} from '../../../integrations/loop/webhooks.ts';
import type { LoopSimulator } from '../../../sandbox/loop/server.ts';
import { resetWithShop, shop, startTestSimulator } from '../../sandbox/loop/support/loop-fixture.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../../sandbox/loop/support/webhook-receiver.ts';

const sign = (body: string | Buffer, secret: string) =>
  createHmac('sha256', secret).update(body).digest('base64');

describe('verifyLoopSignature', () => {
  const body = '{"id":6042537,"topic":"return","label_url":"https:\\/\\/labels.example\\/1.pdf"}';
  const secret = 'whsec-unit';

  it('accepts the base64 HMAC-SHA256 of the body, as string or Buffer', () => {
    expect(verifyLoopSignature(body, sign(body, secret), secret)).toBe(true);
    expect(verifyLoopSignature(Buffer.from(body), sign(body, secret), secret)).toBe(true);
    expect(verifyLoopSignature(body, ` ${sign(body, secret)}\n`, secret)).toBe(true);
  });

  it('rejects a tampered body and a wrong secret', () => {
    expect(verifyLoopSignature(body.replace('6042537', '6042538'), sign(body, secret), secret)).toBe(false);
    expect(verifyLoopSignature(body, sign(body, 'another-secret'), secret)).toBe(false);
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['not base64', '!!not-base64!!'],
    ['too short', 'c2hvcnQ='],
    ['hex instead of base64', createHmac('sha256', secret).update(body).digest('hex')],
  ])('rejects a %s header without throwing', (_label, header) => {
    expect(verifyLoopSignature(body, header, secret)).toBe(false);
  });

  it('rejects everything when the secret is empty', () => {
    expect(verifyLoopSignature(body, sign(body, ''), '')).toBe(false);
  });

  it('holds for any body and secret, and fails for any changed byte', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 300 }),
        fc.string({ minLength: 1 }),
        fc.nat(),
        (bytes, key, position) => {
          const raw = Buffer.from(bytes);
          const signature = sign(raw, key);
          expect(verifyLoopSignature(raw, signature, key)).toBe(true);
          const changed = Buffer.from(raw);
          const index = position % changed.length;
          changed[index] = (changed[index]! + 1) % 256;
          expect(verifyLoopSignature(changed, signature, key)).toBe(false);
        },
      ),
    );
  });
});

describe('webhooks delivered by the simulator', () => {
  let sim: LoopSimulator;
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    sim = await startTestSimulator();
    receiver = await startWebhookReceiver();
  });
  afterAll(async () => {
    await sim.close();
    await receiver.close();
  });
  beforeEach(async () => {
    await resetWithShop(sim);
    receiver.received.length = 0;
    sim.state.seedWebhook({ topic: 'return', trigger: 'return.created', url: `${receiver.url}/loop` });
  });

  const submit = () =>
    sim.state.submitReturn({
      orderName: '#1042',
      customer: { email: 'webhook-customer@example.org', lastName: 'Hookperson', address1: '9 Hook Road' },
      items: [{ sku: 'TEE-BLK-M', quantity: 2, returnReason: 'Too small', returnComment: 'call me on 555' }],
    });

  it('verifies over the exact raw bytes, and fails once the JSON is re-serialised', async () => {
    submit();
    const [webhook] = await receiver.waitFor(1);
    const signature = webhook!.headers['x-loop-signature'] as string;

    expect(verifyLoopSignature(webhook!.raw, signature, shop.webhookSecret)).toBe(true);
    expect(verifyLoopSignature(webhook!.raw, signature, 'wrong-secret')).toBe(false);
    expect(verifyLoopSignature(webhook!.raw, undefined, shop.webhookSecret)).toBe(false);

    // Loop escapes slashes like PHP; JSON.stringify does not, so the bytes differ.
    const reserialised = JSON.stringify(JSON.parse(webhook!.raw.toString('utf8')));
    expect(reserialised).not.toBe(webhook!.raw.toString('utf8'));
    expect(verifyLoopSignature(reserialised, signature, shop.webhookSecret)).toBe(false);

    const tampered = Buffer.from(webhook!.raw.toString('utf8').replace('#1042', '#1043'));
    expect(verifyLoopSignature(tampered, signature, shop.webhookSecret)).toBe(false);
  });

  it.each(['number', 'string'] as const)(
    'parses the return.created payload with %s IDs into a PII-free LoopReturn',
    async (idMode) => {
      sim.state.updateSettings({ idMode });
      const { return: submitted } = submit();
      const [webhook] = await receiver.waitFor(1);
      const raw = webhook!.raw.toString('utf8');
      expect(raw).toContain('webhook-customer@example.org');

      const parsed = parseReturnWebhook(JSON.parse(raw));

      expect(parsed).toMatchObject({
        topic: 'return',
        trigger: 'return.created',
        shopId: String(shop.id),
        return: { id: String(submitted.id), orderName: '#1042', state: 'open' },
      });
      expect(parsed.return.lineItems).toHaveLength(2);
      expect(JSON.stringify(parsed)).not.toMatch(/webhook-customer|Hookperson|Hook Road|call me/);
    },
  );
});

describe('parseReturnWebhook', () => {
  const valid = {
    id: '6042537',
    state: 'open',
    order_name: '#1001',
    order_id: 1,
    created_at: '2020-10-29 16:07:31',
    topic: 'return',
    trigger: 'return.updated',
    shop_id: 42,
    brand_new_field_loop_added: { anything: true },
    line_items: [{ line_item_id: 5, sku: null, title: 'Tee', return_reason: 'Too small' }],
  };

  it('tolerates unknown fields, null text and missing optional fields', () => {
    const parsed = parseReturnWebhook(valid);
    expect(parsed.return).toEqual({
      id: '6042537',
      state: 'open',
      orderName: '#1001',
      orderId: '1',
      providerOrderId: null,
      createdAt: '2020-10-29T16:07:31.000Z',
      updatedAt: null,
      lineItems: [
        {
          id: '5',
          sku: '',
          variantId: null,
          productId: null,
          barcode: null,
          title: 'Tee',
          returnReason: 'Too small',
          parentReturnReason: '',
        },
      ],
    });
    expect(parsed.shopId).toBe('42');
  });

  it('throws a typed error listing every problem, without echoing values', () => {
    const customerEmail = 'leaky@example.org';
    let caught: unknown;
    try {
      parseReturnWebhook({
        ...valid,
        id: undefined,
        topic: 'label',
        trigger: 'label.created',
        customer: customerEmail,
        state: 17,
      });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(LoopWebhookPayloadError);
    const { issues, message } = caught as LoopWebhookPayloadError;
    expect(issues.map((issue) => issue.split(':')[0])).toEqual(
      expect.arrayContaining(['id', 'state', 'topic', 'trigger']),
    );
    expect(message).not.toContain(customerEmail);
  });

  it('rejects a body that is not an object', () => {
    expect(() => parseReturnWebhook('[]')).toThrow(LoopWebhookPayloadError);
    expect(() => parseReturnWebhook(null)).toThrow(LoopWebhookPayloadError);
  });
});
