// Every committed history (one per path a return can take) must replay against the current workflow code,
// so a change that would break returns already in flight fails here. `v1/` holds histories of the first
// generation, which returns started before v2 still run on; the others are regenerated with
// `npm run record:histories`.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { demoTenantSecrets } from '../../sandbox/demo-world.ts';
import { workflowsPath } from '../../temporal/workflow-modules.ts';
import { testCustomer } from '../support/pipeline.ts';

const folder = fileURLToPath(new URL('../fixtures/histories/', import.meta.url));

const v1Paths = [
  'happy-path-process',
  // Recorded after the `skip-product-lookup-when-order-knows-skus` patch; the others predate it.
  'happy-path-process-patched',
  'happy-path-close',
  'flag-reason',
  'order-late-two-hours',
  'order-missing-72-hours',
  'facility-case-then-retry',
  'sku-unknown-parked',
  'worker-crash-during-create',
  'create-answer-lost',
  'cancelled-in-loop',
  'cancelled-in-finale',
  'marked-complete-outside-finale',
  'paused-tenant',
  'retry-rejected',
  'completed-via-sweeper',
  'started-by-sweeper',
  'tenant-sweeper',
].map((name) => `v1/${name}`);

const currentPaths = [
  'happy-path-process',
  'happy-path-close',
  'flag-reason',
  'order-late-two-hours',
  'order-missing-72-hours',
  'facility-case-then-retry',
  'sku-unknown-parked',
  // Recorded after the `return-issue-class-attribute` patch; the other parks predate it.
  'sku-unknown-parked-issue-class',
  'worker-crash-during-create',
  'create-answer-lost',
  'cancelled-in-loop',
  'cancelled-in-finale',
  'marked-complete-outside-finale',
  'paused-tenant',
  'retry-rejected',
  'completed-via-sweeper',
  'started-by-sweeper',
  'tenant-sweeper',
  'continued-from-v1',
  // A late `return.updated` after the finished workflow left the namespace.
  'late-webhook-after-retention',
  'late-webhook-already-handled',
  // An operator gives a line without a SKU its Finale product.
  'line-fixed-by-operator',
  // A return to a Loop destination not handled in Finale; one held until its destination was mapped.
  'skipped',
  'destination-held-until-mapped',
  // The warehouse received 1 of 2 units: flagged with the difference.
  'partial-receipt',
  // Loop answered 429 longer than the step's retries: waited out without parking (`rate-limited-step-waits`).
  'loop-rate-limited-waited-out',
  // Each long wait: the run that continued as new, and the run that finished after 60 days.
  ...['paused', 'parked', 'order-missing', 'awaiting-completion'].flatMap((wait) => [
    `${wait}-60-days-continued-as-new`,
    `${wait}-60-days`,
  ]),
];

/** What must never reach workflow history: credentials, and the customer's name, email, phone and address. */
const forbidden = [
  ...Object.values(demoTenantSecrets),
  ...Object.values(testCustomer).filter((value) => value.length > 3),
  `${testCustomer.firstName} ${testCustomer.lastName}`,
];

const leaksIn = (text: string) => forbidden.filter((value) => text.includes(value));

/** Absolute paths of a machine: a recorded history is committed, so it must hold none. */
const machinePath = /(?:^|[\s"'(=])(?:\/(?:home|Users|root|tmp|var|work|opt|srv|mnt)\/|[A-Za-z]:\\\\)/;

async function fixtures() {
  const names = [
    ...(await readdir(folder)).filter((name) => name.endsWith('.json')),
    ...(await readdir(path.join(folder, 'v1')))
      .filter((name) => name.endsWith('.json'))
      .map((n) => `v1/${n}`),
  ].sort();
  return Promise.all(
    names.map(async (name) => ({
      name: name.replace(/\.json$/, ''),
      text: await readFile(path.join(folder, name), 'utf8'),
    })),
  );
}

describe('committed workflow histories', () => {
  it('cover every path a return can take, in both generations', async () => {
    const names = (await fixtures()).map((f) => f.name);
    expect(names).toEqual(expect.arrayContaining([...v1Paths, ...currentPaths]));
  });

  it('replay cleanly against the current workflow code', { timeout: 180_000 }, async () => {
    const all = await fixtures();
    const histories = all.map(({ name, text }) => ({
      workflowId: name,
      history: historyFromJSON(JSON.parse(text)),
    }));
    const failures: string[] = [];
    for await (const result of Worker.runReplayHistories({ workflowsPath }, histories)) {
      if (result.error) failures.push(`${result.workflowId}: ${String(result.error)}`);
    }
    expect(failures).toEqual([]);
  });

  it('hold no secret and no customer name, email, phone or address', async () => {
    for (const { name, text } of await fixtures()) expect(leaksIn(text), name).toEqual([]);
  });

  it('hold no absolute path of the machine that recorded them', async () => {
    for (const { name, text } of await fixtures()) expect(machinePath.exec(text)?.[0], name).toBeUndefined();
    expect(machinePath.test('"at f (/home/ci/app/x.js:1:2)"')).toBe(true);
  });

  it('would be caught leaking (the scan itself works)', () => {
    expect(leaksIn(`{"note":"refund ${testCustomer.email} at ${testCustomer.address1}"}`)).toEqual([
      testCustomer.email,
      testCustomer.address1,
    ]);
    expect(leaksIn(`{"key":"${demoTenantSecrets.finaleApiSecret}"}`)).toEqual([
      demoTenantSecrets.finaleApiSecret,
    ]);
  });
});
