import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AuthenticationError, NotFoundError, RetryableApiError } from '../../../integrations/errors.ts';
import type { LoopSimulator } from '../../../sandbox/loop/server.ts';
import {
  clientFor,
  failureOf,
  loopFetch,
  resetWithShop,
  shop,
  startTestSimulator,
} from '../../sandbox/loop/support/loop-fixture.ts';

const pii = {
  email: 'marguerite.okonkwo-pii@example.org',
  firstName: 'Marguerite',
  lastName: 'Okonkwo-Piiname',
  phone: '+44 20 7946 0999',
  address1: '221B Piiaddress Street',
  address2: 'Flat 77',
  city: 'Piicity',
  zip: 'PII 9ZZ',
};

let sim: LoopSimulator;
beforeAll(async () => {
  sim = await startTestSimulator();
});
afterAll(() => sim.close());
beforeEach(() => resetWithShop(sim));

const seedTypicalReturn = () =>
  sim.state.seedReturn({
    id: 6042537,
    orderName: '#1001',
    orderId: 88001,
    providerOrderId: 4512345678901,
    createdAt: '2026-03-02T10:15:30Z',
    updatedAt: '2026-03-03T08:00:00Z',
    customer: pii,
    items: [
      {
        sku: 'TEE-BLK-M',
        title: 'Classic Tee - M / Black',
        variantId: 42001,
        productId: 71001,
        barcode: '0123456789012',
        quantity: 3,
        returnReason: 'Item was too big',
        parentReturnReason: "Item didn't fit",
        returnComment: `Please refund to ${pii.email}, I live at ${pii.address1}`,
      },
      {
        sku: '',
        title: 'Mystery Gift',
        variantId: 42002,
        productId: 71002,
        barcode: 'N/A',
        returnReason: 'Other',
      },
    ],
  });

describe('LoopClient.getReturn', () => {
  it('maps details to a LoopReturn with one line item per unit', async () => {
    seedTypicalReturn();
    const loopReturn = await clientFor(sim).getReturn('6042537');

    expect(loopReturn).toEqual({
      id: '6042537',
      state: 'open',
      orderName: '#1001',
      orderId: '88001',
      providerOrderId: '4512345678901',
      createdAt: '2026-03-02T10:15:30.000Z',
      updatedAt: '2026-03-03T08:00:00.000Z',
      destinationId: '7295',
      lineItems: [
        ...[0, 1, 2].map(() => ({
          id: expect.any(String) as string,
          sku: 'TEE-BLK-M',
          variantId: '42001',
          productId: '71001',
          barcode: '0123456789012',
          title: 'Classic Tee - M / Black',
          returnReason: 'Item was too big',
          parentReturnReason: "Item didn't fit",
        })),
        {
          id: expect.any(String) as string,
          sku: '',
          variantId: '42002',
          productId: '71002',
          barcode: null,
          title: 'Mystery Gift',
          returnReason: 'Other',
          parentReturnReason: '',
        },
      ],
    });
    expect(new Set(loopReturn.lineItems.map((item) => item.id)).size).toBe(4);
  });

  it('names the destination each return was shipped to, and none when Loop sends null', async () => {
    sim.state.seedDestination({ id: 7301, name: 'Retail Store' });
    sim.state.seedReturn({ id: 11, destinationId: 7301, items: [{ sku: 'A' }] });
    sim.state.seedReturn({ id: 12, destinationId: null, items: [{ sku: 'A' }] });
    expect((await clientFor(sim).getReturn(11)).destinationId).toBe('7301');
    expect(await clientFor(sim).getReturn(12)).not.toHaveProperty('destinationId');
  });

  it('strips every piece of customer PII the details payload carries', async () => {
    seedTypicalReturn();
    const raw = await loopFetch(sim, '/api/2026-07/warehouse/return/details?return_id=6042537');
    const loopReturn = await clientFor(sim).getReturn(6042537);
    const serialised = JSON.stringify(loopReturn);
    for (const value of Object.values(pii)) {
      // The simulator really sends it, so its absence below is the client's doing.
      expect(JSON.stringify(raw.json)).toContain(value);
      expect(serialised).not.toContain(value);
    }
    expect(Object.keys(loopReturn).sort()).toEqual(
      [
        'createdAt',
        'destinationId',
        'id',
        'lineItems',
        'orderId',
        'orderName',
        'providerOrderId',
        'state',
        'updatedAt',
      ].sort(),
    );
  });

  it.each(['number', 'string'] as const)('normalises IDs Loop sends as %ss to strings', async (idMode) => {
    sim.state.updateSettings({ idMode });
    seedTypicalReturn();
    const raw = await loopFetch(sim, '/api/v1/warehouse/return/details?return_id=6042537');
    expect(typeof (raw.json as { id: unknown }).id).toBe(idMode);

    const loopReturn = await clientFor(sim).getReturn(6042537);
    expect(loopReturn.id).toBe('6042537');
    expect(loopReturn.orderId).toBe('88001');
    expect(loopReturn.destinationId).toBe('7295');
    expect(
      loopReturn.lineItems.every((item) => typeof item.id === 'string' && typeof item.variantId === 'string'),
    ).toBe(true);
  });

  it('answers NotFoundError for the HTTP 200 {"error":{"message"}} miss', async () => {
    const error = await failureOf(clientFor(sim).getReturn(999));
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as NotFoundError).status).toBe(200);
    expect((error as NotFoundError).apiMessage).toBe('Return not found.');
  });

  it('answers NotFoundError for the HTTP 200 "No return found with this ID." body', async () => {
    sim.state.faults.add({
      kind: 'body',
      endpoint: '/warehouse/return/details',
      body: { errors: { message: 'No return found with this ID.' } },
    });
    const error = await failureOf(clientFor(sim).getReturn(1));
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as NotFoundError).apiMessage).toBe('No return found with this ID.');
  });

  it('treats a 200 body with UNEXPECTED_ERROR as retryable, not as a miss', async () => {
    sim.state.faults.add({
      kind: 'body',
      endpoint: '/warehouse/return/details',
      body: { errors: { message: 'Something went wrong.', code: 'UNEXPECTED_ERROR' } },
    });
    const error = await failureOf(clientFor(sim).getReturn(1));
    expect(error).toBeInstanceOf(RetryableApiError);
    expect((error as RetryableApiError).reason).toBe('server');
  });

  it('treats a 200 body that is neither a return nor an error as retryable', async () => {
    sim.state.faults.add({ kind: 'body', endpoint: '/warehouse/return/details', body: { id: 1 } });
    const error = await failureOf(clientFor(sim).getReturn(1));
    expect(error).toBeInstanceOf(RetryableApiError);
    expect(error.message).toMatch(/unexpected response .*state/);
  });

  it('pins the API version in the path (2026-07 by default, configurable)', async () => {
    seedTypicalReturn();
    await clientFor(sim).getReturn(6042537);
    await clientFor(sim, { apiVersion: '2026-10' }).getReturn(6042537);
    expect(sim.state.calls.snapshot().byVersion).toEqual({ '2026-07': 1, '2026-10': 1 });
    await expect(clientFor(sim, { apiVersion: 'v2' }).getReturn(6042537)).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });

  it('authenticates with the raw key in X-Authorization (the simulator refuses anything else)', async () => {
    seedTypicalReturn();
    await expect(clientFor(sim).getReturn(6042537)).resolves.toMatchObject({ id: '6042537' });
    await expect(
      clientFor(sim, { apiKey: `Bearer ${shop.apiKey}` }).getReturn(6042537),
    ).rejects.toBeInstanceOf(AuthenticationError);
  });
});

describe('LoopClient authentication failures', () => {
  it('turns the gateway 401 into an AuthenticationError a merchant can act on', async () => {
    const error = await failureOf(clientFor(sim, { apiKey: 'revoked-key' }).getReturn(1));
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as AuthenticationError).status).toBe(401);
    expect((error as AuthenticationError).apiMessage).toBe('Unauthorized.');
    expect(error.message).toContain('"Returns" scope');
    expect(error.message).toContain('Developer Tools');
  });

  it.each([
    { scope: 'returns', call: 'getReturn', needs: 'Returns' },
    { scope: 'destinations:read', call: 'listDestinations', needs: 'Destinations (Read)' },
    { scope: 'developer_tools', call: 'listWebhooks', needs: 'Developer Tools' },
  ] as const)('names the $needs scope when the key lacks it', async ({ scope, call, needs }) => {
    const scopes = (['returns', 'developer_tools', 'destinations:read'] as const).filter((s) => s !== scope);
    sim.state.seedShop({ apiKey: 'key-missing-a-scope', webhookSecret: 'x', scopes });
    const client = clientFor(sim, { apiKey: 'key-missing-a-scope' });
    const attempt = call === 'getReturn' ? client.getReturn(1) : client[call]();
    const error = await failureOf(attempt);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error.message).toContain(`has the "${needs}" scope`);
  });
});
