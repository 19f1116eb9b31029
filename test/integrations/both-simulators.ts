import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { LoopSimulator } from '../../sandbox/loop/server.ts';
import { resetWithShop, startTestSimulator } from '../sandbox/loop/support/loop-fixture.ts';
import { FinaleFixture } from './finale/finale-fixture.ts';

/**
 * Both simulators for one test file: started once, and before each test the Finale fixture's account
 * reseeded and the Loop shop reset with return 1. Read the fields inside tests, after the hooks have run.
 */
export function useBothSimulators() {
  const sims = {} as {
    finale: FinaleFixture;
    loop: LoopSimulator;
    seeded: ReturnType<FinaleFixture['reseed']>;
  };
  beforeAll(async () => {
    sims.finale = await FinaleFixture.start();
    sims.loop = await startTestSimulator();
  });
  afterAll(async () => {
    await sims.finale?.stop();
    await sims.loop?.close();
  });
  beforeEach(async () => {
    sims.seeded = sims.finale.reseed();
    await resetWithShop(sims.loop);
    sims.loop.state.seedReturn({ id: 1, items: [{ sku: 'TEE' }] });
  });
  return sims;
}
