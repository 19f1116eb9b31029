import { describe, expect, it } from 'vitest';
import { checkReturn, type LoopReturnView } from '../../soak/ledger.ts';
import type { Fate } from '../../soak/world.ts';

const submitted = (fate: Fate) => ({ loopReturnId: 7, orderName: '#100007', fate, submittedAt: 0 });
const loop = (state: string, ...actions: [string, boolean][]): LoopReturnView => ({
  state,
  // The workflow adds a note when it flags.
  notes: actions.some(([action]) => action === 'flag') ? [{ content: 'why' }] : [],
  actions: actions.map(([action, changed]) => ({ action, accepted: true, changed })),
  return: { id: 7 },
});
const finale = (...statuses: string[]) => statuses.map((statusId) => ({ statusId }));
const completed = (outcome: string) => ({ status: 'COMPLETED', outcome });

describe('the soak ledger, one return at a time', () => {
  it('passes each fate in its expected final state', () => {
    const rows = [
      checkReturn(
        submitted('complete'),
        loop('closed', ['process', true]),
        finale('RETURN_COMPLETED'),
        completed('processed'),
      ),
      // The process was applied, its answer lost, and the retry found the return closed.
      checkReturn(
        submitted('complete'),
        loop('closed', ['process', true], ['process', false]),
        finale('RETURN_COMPLETED'),
        completed('already-closed-in-loop'),
      ),
      checkReturn(
        submitted('flag-reason'),
        loop('review', ['flag', true], ['flag', false]),
        finale('RETURN_COMPLETED'),
        completed('flagged'),
      ),
      checkReturn(
        submitted('finale-cancel'),
        loop('review', ['flag', true]),
        finale('RETURN_CANCELLED'),
        completed('flagged'),
      ),
      checkReturn(
        submitted('loop-cancel'),
        loop('cancelled'),
        finale('RETURN_CANCELLED'),
        completed('cancelled'),
      ),
      // Cancelled before any workflow started: nothing to do, nothing done.
      checkReturn(submitted('loop-cancel'), loop('cancelled'), finale(), { status: 'none' }),
    ];
    expect(rows.map((row) => row.problems)).toEqual(rows.map(() => []));
  });

  it('catches a second Finale return for one Loop return', () => {
    const row = checkReturn(
      submitted('complete'),
      loop('closed', ['process', true]),
      finale('RETURN_COMPLETED', 'RETURN_CREATED'),
      completed('processed'),
    );
    expect(row.problems).toEqual([
      '2 Finale returns',
      'Finale RETURN_COMPLETED, RETURN_CREATED, expected RETURN_COMPLETED',
    ]);
  });

  it('catches a Loop action too many, or of the wrong kind', () => {
    expect(
      checkReturn(
        submitted('finale-cancel'),
        loop('closed', ['flag', true], ['close', true]),
        finale('RETURN_CANCELLED'),
        completed('flagged'),
      ).problems,
    ).toEqual([
      'Loop closed, expected review',
      'Loop actions that changed it: [flag, close], expected [flag]',
    ]);
    expect(
      checkReturn(
        submitted('loop-cancel'),
        loop('cancelled', ['cancel', true]),
        finale(),
        completed('cancelled'),
      ).problems,
    ).toEqual(['Loop actions that changed it: [cancel], expected []']);
  });

  it('wants a note on every flagged return', () => {
    const row = checkReturn(
      submitted('flag-reason'),
      { ...loop('review', ['flag', true]), notes: [] },
      finale('RETURN_COMPLETED'),
      completed('flagged'),
    );
    expect(row.problems).toEqual(['flagged without a note']);
  });

  it('catches a Finale return left open, a workflow that failed or still runs, and a wrong outcome', () => {
    expect(
      checkReturn(
        submitted('loop-cancel'),
        loop('cancelled'),
        finale('RETURN_CREATED'),
        completed('cancelled'),
      ).problems,
    ).toEqual(['Finale RETURN_CREATED, expected RETURN_CANCELLED']);
    expect(
      checkReturn(submitted('complete'), loop('open'), finale('RETURN_COMPLETED'), { status: 'FAILED' })
        .problems,
    ).toEqual([
      'Loop open, expected closed',
      'Loop actions that changed it: [], expected [process]',
      'workflow FAILED',
    ]);
    expect(
      checkReturn(submitted('complete'), loop('open'), finale(), { status: 'RUNNING' }).problems,
    ).toContain('workflow RUNNING');
    expect(
      checkReturn(
        submitted('complete'),
        loop('closed', ['process', true]),
        finale('RETURN_COMPLETED'),
        completed('flagged'),
      ).problems,
    ).toEqual(['outcome flagged, expected processed or already-closed-in-loop']);
  });

  it('wants a workflow for every return that reached Finale', () => {
    expect(
      checkReturn(submitted('loop-cancel'), loop('cancelled'), finale('RETURN_CANCELLED'), { status: 'none' })
        .problems,
    ).toEqual(['no workflow']);
    expect(checkReturn(submitted('complete'), undefined, finale(), { status: 'none' }).problems).toEqual([
      'Loop missing, expected closed',
      'Loop actions that changed it: [], expected [process]',
      'no Finale return',
      'no workflow',
    ]);
  });
});
