import { FinaleClient, type FinaleClientOptions } from '../../../integrations/finale/client.ts';
import { CoalescedReturnLookup } from '../../../integrations/finale/return-lookup.ts';
import type { FinaleReturn } from '../../../integrations/finale/types.ts';
import { ApiBudgets } from '../../../integrations/rate-limiter.ts';
import { memoryTokenBuckets } from '../../../integrations/token-buckets.ts';
import { startFinaleSimulator, type FinaleSimulator } from '../../../sandbox/finale/server.ts';

/** Distinctive, so a leak into a log line or an error cannot go unnoticed. */
export const ACCOUNT = 'acme';
export const API_KEY = 'fk_live_KEY-8c1e2f3a9d';
export const API_SECRET = 'fs_SECRET-5b7d4e0c6a';

/** Generous: the suite makes many calls with one key and must not wait on Finale's real budget. */
const generousBudgets = () =>
  new ApiBudgets({
    buckets: memoryTokenBuckets(),
    rules: {
      'finale-get': { limit: 10_000, windowMs: 1_000 },
      'finale-post': { limit: 10_000, windowMs: 1_000 },
      'finale-collection': { limit: 10_000, windowMs: 1_000 },
    },
    maxConcurrent: { finale: 8 },
  });

/** The 2xx-with-error bodies third-party Finale clients guard against, as options of a `body` fault. */
export const errorBodies = (message: string) => ({
  'plain-string': { text: message },
  'success-false': { body: { success: false, error: message } },
  'error-message': { body: { errorMessage: message } },
  errors: { body: { errors: [{ message }] } },
});

export const ERROR_BODY_SHAPES = ['plain-string', 'success-false', 'error-message', 'errors'] as const;

/** One simulator per test file, reseeded before each test with a small but awkward Finale account. */
export class FinaleFixture {
  /** Fresh on every reseed, so a 429 one test provoked does not hold up the next. */
  budgets = generousBudgets();

  private constructor(readonly sim: FinaleSimulator) {}

  static async start(): Promise<FinaleFixture> {
    return new FinaleFixture(await startFinaleSimulator({ port: 0 }));
  }

  get state() {
    return this.sim.state;
  }

  client(overrides: Partial<FinaleClientOptions> = {}): FinaleClient {
    return new FinaleClient({
      accountName: ACCOUNT,
      apiKey: API_KEY,
      apiSecret: API_SECRET,
      baseUrl: this.sim.url,
      budgets: this.budgets,
      ...overrides,
    });
  }

  /** The idempotent create's look-up of a returnId made within the last hour, through this fixture's client. */
  lookUp(returnId: string): Promise<FinaleReturn | undefined> {
    const lookup = new CoalescedReturnLookup({ read: (window) => this.client().listReturnsChanged(window) });
    return lookup.find({ returnId, since: new Date(Date.now() - 3_600_000) });
  }

  /** Calls the simulator saw for one endpoint label, e.g. `GET /:account/api/return (collection)`. */
  calls(endpoint: string): number {
    return this.state.calls.count(endpoint);
  }

  reseed() {
    const { state } = this;
    state.reset();
    this.budgets = generousBudgets();
    state.seedAccount({ name: ACCOUNT, apiKey: API_KEY, apiSecret: API_SECRET });
    const main = state.seedFacility(ACCOUNT, { facilityName: 'Main Warehouse' });
    const bin = state.seedFacility(ACCOUNT, { facilityName: 'Returns Dock', parent: 'Main Warehouse' });
    state.seedFacility(ACCOUNT, { facilityName: 'Old Depot', active: false });
    state.seedFacility(ACCOUNT, { facilityName: 'East Annex' });
    const redShirt = state.seedProduct(ACCOUNT, { productId: 'SKU-RED-M', internalId: '10020196' });
    state.seedProduct(ACCOUNT, { productId: 'SKU-RED' });
    const accented = state.seedProduct(ACCOUNT, { productId: 'Cégep Al', internalId: '10020200' });
    const order = state.seedOrder(ACCOUNT, {
      orderId: '1001',
      items: [{ productId: 'SKU-RED-M', quantity: 2 }],
    });
    const hashOrder = state.seedOrder(ACCOUNT, { orderId: '#1002' });
    state.calls.reset();
    return { main, bin, redShirt, accented, order, hashOrder };
  }

  async stop(): Promise<void> {
    await this.sim.close();
  }
}
