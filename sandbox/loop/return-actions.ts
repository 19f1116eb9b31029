import type { ReturnState } from './control-schemas.ts';

export const returnActions = ['process', 'close', 'flag', 'cancel'] as const;
export type ReturnAction = (typeof returnActions)[number];

export interface ActionDecision {
  /** The state the return moves to; undefined when nothing changes. */
  next?: ReturnState;
  /** What Loop answers, always with HTTP 200. */
  body: unknown;
}

const pastTense: Record<ReturnAction, string> = {
  process: 'processed',
  close: 'closed',
  flag: 'flagged',
  cancel: 'cancelled',
};

const target: Record<ReturnAction, ReturnState> = {
  process: 'closed',
  close: 'closed',
  flag: 'review',
  cancel: 'cancelled',
};

/**
 * Loop's answers to the four return actions by state. Success is the JSON string "true"; every refusal
 * is HTTP 200 too, in one of the body shapes Loop's OpenAPI files list for these endpoints.
 */
export function decideAction(
  state: ReturnState,
  action: ReturnAction,
  allowFlaggedToProcess: boolean,
): ActionDecision {
  const verb = pastTense[action];
  switch (state) {
    case 'closed':
      return {
        body: {
          errors: {
            message: `Return is closed and therefore cannot be ${verb}.`,
            code: 'UNPROCESSABLE_RETURN',
          },
        },
      };
    case 'cancelled':
      return { body: { message: `Return is cancelled and therefore cannot be ${verb}.` } };
    case 'expired':
      return {
        body: {
          errors: {
            message: `Return is expired and therefore cannot be ${verb}.`,
            code: 'UNPROCESSABLE_RETURN',
          },
        },
      };
    case 'review':
      if (action === 'flag') return { body: 'true' };
      if (action === 'process' && !allowFlaggedToProcess) {
        return { body: { content: 'Return is flagged and cannot be processed.' } };
      }
      if (action === 'cancel') {
        return {
          body: {
            errors: {
              message: 'Return is flagged and cannot be cancelled.',
              code: 'UNPROCESSABLE_FLAGGED_RETURN',
            },
          },
        };
      }
      return { next: target[action], body: 'true' };
    case 'open':
      return { next: target[action], body: 'true' };
  }
}
