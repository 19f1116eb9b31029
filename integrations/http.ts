import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import got, { RequestError, type Method } from 'got';
import { apiRateLimited } from '../observability/api-metrics.ts';
import type { Logger } from '../observability/logger.ts';
import type { BudgetName } from './budget-rules.ts';
import {
  AuthenticationError,
  InvalidRequestError,
  NotFoundError,
  RetryableApiError,
  type ApiErrorDetails,
  type ApiName,
} from './errors.ts';
import type { RequestPriority } from './budget-rules.ts';
import { BudgetWaitExceededError, type ApiBudgets } from './rate-limiter.ts';

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Raw body text; clients parse it themselves because both APIs sometimes hide errors in 2xx bodies. */
  body: string;
}

export interface HttpRequest {
  method: Method;
  /** Absolute URL, or a path relative to the client's `baseUrl`. */
  url: string;
  operation: string;
  searchParams?: Record<string, string | number | boolean | undefined>;
  json?: unknown;
  /** The credential's budgets this call spends a token of. */
  budgets: readonly BudgetName[];
  /** Default `work`. */
  priority?: RequestPriority;
}

/** Bounds on what an upstream may make the client do; numbers from a response are never trusted unbounded. */
export interface UpstreamBounds {
  /** Longest wait a 429 may ask for; a longer one is treated as bad, logged, and the API's default used. */
  maxRateLimitWaitMs: number;
  /** Largest response body read; a larger one is aborted with a retryable error. */
  maxResponseBytes: number;
}

export const defaultUpstreamBounds: UpstreamBounds = {
  maxRateLimitWaitMs: 15 * 60_000,
  maxResponseBytes: 16 * 1024 * 1024,
};

export interface HttpClientOptions {
  api: ApiName;
  baseUrl: string;
  headers: Record<string, string>;
  /** Opaque per-credential key for the budgets; derive it with `credentialKey`. */
  credentialKey: string;
  budgets: ApiBudgets;
  bounds?: Partial<UpstreamBounds>;
  logger?: Logger;
  timeoutMs?: number;
  /** Delay the API asked for on a 429, in milliseconds. */
  retryAfterMs: (headers: HttpResponse['headers'], now: number) => number;
  /** The wait on a 429 whose own wait is implausible. */
  defaultRetryAfterMs: number;
  /** The API's own error message from an error body. */
  errorMessage: (body: string) => string | undefined;
  /**
   * The cancellation of the work a call is made for, read at each call (a Temporal activity's): once it
   * fires, the call stops waiting for its budget, its request is aborted, and it fails with the signal's reason.
   */
  cancellation?: () => AbortSignal | undefined;
}

/** Set while a read shared by several callers runs: its requests belong to none of them. */
const sharedRead = new AsyncLocalStorage<{ signal: AbortSignal | undefined }>();

/**
 * Runs a read that several callers wait for (one read in flight per key, say). Its requests carry no caller's
 * cancellation: otherwise cancelling the caller that started it (a worker shutting down cancels its
 * activities one by one) would fail every other caller with that caller's reason. Each caller waits with
 * `untilCancelled` instead. `signal` is the read's own: its owner aborts it once no caller waits.
 */
export function shareAcrossCallers<T>(read: () => Promise<T>, signal?: AbortSignal): Promise<T> {
  return sharedRead.run({ signal }, read);
}

/** Waits for a shared read as one caller: its own cancellation ends its wait, not the read. */
export function untilCancelled<T>(shared: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return shared;
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const abandon = () => reject(signal.reason as Error);
    signal.addEventListener('abort', abandon, { once: true });
    shared.then(resolve, reject).finally(() => signal.removeEventListener('abort', abandon));
  });
}

/** A stable, non-reversible key for one credential: safe to log and to use as a budget key. */
export const credentialKey = (...parts: string[]) =>
  createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 16);

/**
 * The HTTP core both API clients share: per-credential budgets shared by every worker, no automatic
 * retries (Temporal retries activities, and a blind retry of a POST could duplicate a record), bounded
 * response bodies and rate-limit waits, request logging without credentials, and mapping of every failure
 * onto the error taxonomy.
 */
export class HttpClient {
  private readonly bounds: UpstreamBounds;

  constructor(private readonly options: HttpClientOptions) {
    this.bounds = { ...defaultUpstreamBounds, ...options.bounds };
  }

  get baseUrl(): string {
    return this.options.baseUrl;
  }

  async request(request: HttpRequest): Promise<HttpResponse> {
    const { api, budgets, credentialKey: key } = this.options;
    const url = /^https?:\/\//.test(request.url) ? request.url : `${this.options.baseUrl}${request.url}`;
    const searchParams = Object.fromEntries(
      Object.entries(request.searchParams ?? {}).filter(([, v]) => v !== undefined),
    ) as Record<string, string | number | boolean>;
    const details = (extra: Partial<ApiErrorDetails> = {}): ApiErrorDetails => ({
      api,
      operation: request.operation,
      ...extra,
    });
    const maxBytes = this.bounds.maxResponseBytes;
    let refusedBytes: number | undefined;
    let started = Date.now();
    const shared = sharedRead.getStore();
    const signal = shared ? shared.signal : this.options.cancellation?.();

    let response: HttpResponse;
    try {
      const call = { api, key, budgets: request.budgets, priority: request.priority ?? 'work', signal };
      const raw = await budgets.run(call, () => {
        started = Date.now();
        const pending = got(url, {
          method: request.method,
          headers: this.options.headers,
          // Only when given: got would otherwise drop a query string already in an absolute URL.
          ...(Object.keys(searchParams).length > 0 ? { searchParams } : {}),
          json: request.json,
          throwHttpErrors: false,
          retry: { limit: 0 },
          followRedirect: false,
          // Uncompressed, so the bytes counted against the cap are the bytes held (no decompression bomb).
          decompress: false,
          timeout: { request: this.options.timeoutMs ?? 30_000 },
          signal,
        });
        const refuse = (bytes: number) => {
          refusedBytes = bytes;
          pending.cancel();
        };
        void pending.on('response', (res: { headers: Record<string, string | string[] | undefined> }) => {
          const length = Number(res.headers['content-length']);
          if (length > maxBytes) refuse(length);
        });
        void pending.on('downloadProgress', ({ transferred }) => {
          if (transferred > maxBytes) refuse(transferred);
        });
        return pending;
      });
      response = { status: raw.statusCode, headers: raw.headers, body: raw.body };
    } catch (error) {
      // Cancelled, not failed: whoever cancelled it decides what happens next (Temporal retries the activity).
      if (signal?.aborted) throw signal.reason as Error;
      if (error instanceof BudgetWaitExceededError) {
        throw new RetryableApiError(
          `${api} ${request.operation}: ${error.message}, which every worker shares for this merchant; retried later`,
          { ...details({ cause: error }), reason: 'rate-limited', retryAfterMs: error.retryAfterMs },
        );
      }
      if (refusedBytes !== undefined) {
        this.options.logger?.warn(
          { api, operation: request.operation, bytes: refusedBytes, maxBytes },
          'response body over the size cap refused',
        );
        throw new RetryableApiError(
          `${api} ${request.operation}: response body over ${maxBytes} bytes refused ` +
            `(at least ${refusedBytes}; raise API_MAX_RESPONSE_BYTES if the data is genuinely this large)`,
          { ...details(), reason: 'too-large' },
        );
      }
      if (!(error instanceof RequestError)) throw error;
      const code = error.code;
      this.options.logger?.warn(
        { api, operation: request.operation, method: request.method, code, ms: Date.now() - started },
        'request failed before a response',
      );
      throw new RetryableApiError(`${api} ${request.operation}: network error (${code ?? 'unknown'})`, {
        ...details({ cause: code }),
        reason: 'network',
      });
    }

    this.options.logger?.debug(
      {
        api,
        operation: request.operation,
        method: request.method,
        path: new URL(url).pathname,
        status: response.status,
        ms: Date.now() - started,
      },
      'api call',
    );
    if (response.status < 400) return response;

    const apiMessage = this.options.errorMessage(response.body);
    const info = details({ status: response.status, apiMessage });
    const suffix = apiMessage ? `: ${apiMessage}` : '';
    const status = response.status;
    if (status === 429) {
      const retryAfterMs = await this.obeyRateLimit(request, response);
      throw new RetryableApiError(`${api} ${request.operation}: rate limited (HTTP 429)`, {
        ...info,
        reason: 'rate-limited',
        retryAfterMs,
      });
    }
    if (status >= 500 || status === 408) {
      throw new RetryableApiError(`${api} ${request.operation}: server error (HTTP ${status})${suffix}`, {
        ...info,
        reason: 'server',
      });
    }
    if (status === 401 || status === 403) {
      throw new AuthenticationError(
        `${api} ${request.operation}: not authorised (HTTP ${status})${suffix}`,
        info,
      );
    }
    if (status === 404) {
      throw new NotFoundError(`${api} ${request.operation}: not found${suffix}`, info);
    }
    throw new InvalidRequestError(`${api} ${request.operation}: rejected (HTTP ${status})${suffix}`, info);
  }

  /** Stops every call of this credential, in every process sharing the budgets, until the 429's reset. */
  private async obeyRateLimit(request: HttpRequest, response: HttpResponse): Promise<number> {
    const { api, logger } = this.options;
    apiRateLimited.inc({ api });
    let waitMs = this.options.retryAfterMs(response.headers, Date.now());
    if (waitMs > this.bounds.maxRateLimitWaitMs) {
      logger?.warn(
        {
          api,
          operation: request.operation,
          askedMs: waitMs,
          maxMs: this.bounds.maxRateLimitWaitMs,
          usedMs: this.options.defaultRetryAfterMs,
        },
        'implausible rate-limit reset ignored; waiting the default instead',
      );
      waitMs = this.options.defaultRetryAfterMs;
    }
    try {
      await this.options.budgets.obeyRateLimit(api, this.options.credentialKey, waitMs);
    } catch (error) {
      // The 429 itself is what the caller must see; the retry it gets still waits this long.
      logger?.warn({ err: error, api }, 'could not record a rate-limit reset in the shared budgets');
    }
    return waitMs;
  }
}
