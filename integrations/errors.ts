/**
 * The one error taxonomy for calls to Loop and Finale. Every client failure is one of these four classes,
 * so activities can decide "retry later", "tell the merchant to fix a setting" or "a record is wrong"
 * without knowing anything about HTTP.
 */
export type ApiName = 'loop' | 'finale';

export type ApiErrorKind = 'retryable' | 'authentication' | 'not-found' | 'invalid';

export interface ApiErrorDetails {
  api: ApiName;
  /** Logical operation, e.g. `finale.getOrder`; never contains a secret. */
  operation: string;
  status?: number;
  /** The API's own explanation, when it gave one. */
  apiMessage?: string;
  cause?: unknown;
}

export abstract class ApiError extends Error {
  abstract readonly kind: ApiErrorKind;
  readonly api: ApiName;
  readonly operation: string;
  readonly status: number | undefined;
  readonly apiMessage: string | undefined;

  constructor(message: string, details: ApiErrorDetails) {
    super(message, { cause: details.cause });
    this.name = new.target.name;
    this.api = details.api;
    this.operation = details.operation;
    this.status = details.status;
    this.apiMessage = details.apiMessage;
  }
}

/** `too-large`: a body or a list beyond the client's bounds; `rate-limited` includes the shared budget running dry. */
export type RetryReason = 'network' | 'server' | 'rate-limited' | 'too-large';

/** Network failure, timeout, 5xx, 429 or an exhausted budget: the same call may succeed later. */
export class RetryableApiError extends ApiError {
  readonly kind = 'retryable';
  readonly reason: RetryReason;
  /** How long the API asked us to wait, when it said. */
  readonly retryAfterMs: number | undefined;

  constructor(message: string, details: ApiErrorDetails & { reason: RetryReason; retryAfterMs?: number }) {
    super(message, details);
    this.reason = details.reason;
    this.retryAfterMs = details.retryAfterMs;
  }
}

/** Bad key, secret, account name or missing scope: only the merchant can fix it. */
export class AuthenticationError extends ApiError {
  readonly kind = 'authentication';
}

/** The record (order, product, return, account path) does not exist, or not yet. */
export class NotFoundError extends ApiError {
  readonly kind = 'not-found';
}

/** The API rejected the request as invalid; `apiMessage` says why. */
export class InvalidRequestError extends ApiError {
  readonly kind = 'invalid';
}

export const isApiError = (error: unknown): error is ApiError => error instanceof ApiError;
