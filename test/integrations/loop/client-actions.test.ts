import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { InvalidRequestError, NotFoundError, RetryableApiError } from '../../../integrations/errors.ts';
import type { LoopClient } from '../../../integrations/loop/client.ts';
import type { ReturnState } from '../../../sandbox/loop/control-schemas.ts';
import type { LoopSimulator } from '../../../sandbox/loop/server.ts';
import {
  clientFor,
  failureOf,
  resetWithShop,
  startTestSimulator,
} from '../../sandbox/loop/support/loop-fixture.ts';

const RETURN_ID = 6042537;

let sim: LoopSimulator;
beforeAll(async () => {
  sim = await startTestSimulator();
});
afterAll(() => sim.close());
beforeEach(() => resetWithShop(sim));

const seedInState = (state: ReturnState) =>
  sim.state.seedReturn({ id: RETURN_ID, state, items: [{ sku: 'TEE' }] });
const stateOf = () => sim.state.getReturn(RETURN_ID).state;

type Action = 'processReturn' | 'closeReturn' | 'flagReturn' | 'cancelReturn';
const run = (client: LoopClient, action: Action, id: string | number = RETURN_ID) => client[action](id);

describe('LoopClient return actions', () => {
  it.each([
    { action: 'processReturn', after: 'closed' },
    { action: 'closeReturn', after: 'closed' },
    { action: 'flagReturn', after: 'review' },
    { action: 'cancelReturn', after: 'cancelled' },
  ] as const)('$action on an open return answers "applied" (body "true")', async ({ action, after }) => {
    seedInState('open');
    await expect(run(clientFor(sim), action)).resolves.toBe('applied');
    expect(stateOf()).toBe(after);
  });

  it('accepts the return ID as a number or a string', async () => {
    seedInState('open');
    await expect(clientFor(sim).flagReturn(String(RETURN_ID))).resolves.toBe('applied');
    await expect(clientFor(sim).closeReturn(RETURN_ID)).resolves.toBe('applied');
  });

  it.each(['processReturn', 'closeReturn', 'flagReturn', 'cancelReturn'] as const)(
    '%s on a closed return recognises the UNPROCESSABLE_RETURN body as already-closed',
    async (action) => {
      seedInState('closed');
      await expect(run(clientFor(sim), action)).resolves.toBe('already-closed');
    },
  );

  it.each(['processReturn', 'closeReturn', 'flagReturn', 'cancelReturn'] as const)(
    '%s on a cancelled return recognises the {"message"} body as already-cancelled',
    async (action) => {
      seedInState('cancelled');
      await expect(run(clientFor(sim), action)).resolves.toBe('already-cancelled');
    },
  );

  it('refuses to process a flagged return with the {"content"} message as InvalidRequestError', async () => {
    seedInState('review');
    const error = await failureOf(clientFor(sim).processReturn(RETURN_ID));
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as InvalidRequestError).apiMessage).toBe('Return is flagged and cannot be processed.');
    expect(stateOf()).toBe('review');
  });

  it('refuses to cancel a flagged return (UNPROCESSABLE_FLAGGED_RETURN) as InvalidRequestError', async () => {
    seedInState('review');
    const error = await failureOf(clientFor(sim).cancelReturn(RETURN_ID));
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as InvalidRequestError).apiMessage).toBe('Return is flagged and cannot be cancelled.');
  });

  it('processes a flagged return when the shop allows flagged returns to process', async () => {
    sim.state.seedShop({ id: 2002, apiKey: 'key-lenient', webhookSecret: 's', allowFlaggedToProcess: true });
    sim.state.seedReturn({ shopId: 2002, id: 777, state: 'review', items: [{}] });
    await expect(clientFor(sim, { apiKey: 'key-lenient' }).processReturn(777)).resolves.toBe('applied');
  });

  it('reports an expired return as InvalidRequestError with Loop’s message', async () => {
    seedInState('expired');
    const error = await failureOf(clientFor(sim).closeReturn(RETURN_ID));
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as InvalidRequestError).apiMessage).toBe(
      'Return is expired and therefore cannot be closed.',
    );
  });

  it('answers NotFoundError for the HTTP 200 "No return found with this ID." body', async () => {
    const error = await failureOf(clientFor(sim).closeReturn(123));
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as NotFoundError).status).toBe(200);
    expect((error as NotFoundError).apiMessage).toBe('No return found with this ID.');
  });

  it.each<{ label: string; body: boolean | string | Record<string, boolean> }>([
    { label: 'a bare JSON true', body: true },
    { label: 'an object claiming success', body: { success: true } },
    { label: 'the string "false"', body: 'false' },
    { label: 'an empty object', body: {} },
  ])('does not take $label for success', async ({ body }) => {
    seedInState('open');
    sim.state.faults.add({ kind: 'body', endpoint: 'POST /warehouse/return/:id/close', body });
    const error = await failureOf(clientFor(sim).closeReturn(RETURN_ID));
    expect(error).toBeInstanceOf(RetryableApiError);
    expect(error.message).toContain('not the literal "true"');
  });

  it('recognises already-closed even if Loop sends the refusal with a 422', async () => {
    seedInState('open');
    sim.state.faults.add({
      kind: 'body',
      status: 422,
      endpoint: 'POST /warehouse/return/:id/process',
      body: {
        errors: {
          message: 'Return is closed and therefore cannot be processed.',
          code: 'UNPROCESSABLE_RETURN',
        },
      },
    });
    await expect(clientFor(sim).processReturn(RETURN_ID)).resolves.toBe('already-closed');
  });

  it('maps other 422s on actions to InvalidRequestError', async () => {
    seedInState('open');
    sim.state.faults.add({
      kind: 'body',
      status: 422,
      endpoint: 'POST /warehouse/return/:id/flag',
      body: {
        message: 'The return id must be an integer.',
        errors: { return_id: ['The return id must be an integer.'] },
      },
    });
    const error = await failureOf(clientFor(sim).flagReturn(RETURN_ID));
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as InvalidRequestError).apiMessage).toBe('The return id must be an integer.');
  });
});

describe('LoopClient.addNote', () => {
  it('adds a note', async () => {
    seedInState('open');
    await clientFor(sim).addNote(RETURN_ID, '  Flagged: reason "Damaged" is in the flag list  ');
    expect(sim.state.getReturn(RETURN_ID).notes.map((n) => n.content)).toEqual([
      'Flagged: reason "Damaged" is in the flag list',
    ]);
  });

  it('cuts long notes to Loop’s limit of 254 characters, counted as code points', async () => {
    seedInState('open');
    await clientFor(sim).addNote(RETURN_ID, 'x'.repeat(300));
    await clientFor(sim).addNote(RETURN_ID, '📦'.repeat(300));
    const [plain, emoji] = sim.state.getReturn(RETURN_ID).notes.map((n) => Array.from(n.content));
    expect(plain).toHaveLength(254);
    expect(plain?.at(-1)).toBe('…');
    expect(emoji).toHaveLength(254);
    expect(emoji?.slice(0, 253).every((c) => c === '📦')).toBe(true);
  });

  it('refuses an empty note without calling Loop', async () => {
    await expect(clientFor(sim).addNote(RETURN_ID, '   ')).rejects.toBeInstanceOf(InvalidRequestError);
    expect(sim.state.calls.snapshot().total).toBe(0);
  });

  it('answers NotFoundError for a note on an unknown return', async () => {
    await expect(clientFor(sim).addNote(404, 'hello')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('maps Loop’s 422 on a note to InvalidRequestError with its message', async () => {
    seedInState('open');
    sim.state.faults.add({
      kind: 'body',
      status: 422,
      endpoint: 'POST /warehouse/return/:id/note',
      body: {
        message: 'The content must be less than 255 characters.',
        errors: { content: ['The content must be less than 255 characters.'] },
      },
    });
    const error = await failureOf(clientFor(sim).addNote(RETURN_ID, 'hello'));
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as InvalidRequestError).apiMessage).toBe('The content must be less than 255 characters.');
  });
});
