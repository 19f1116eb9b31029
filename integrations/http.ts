import { createHash } from 'node:crypto';
import got, { RequestError, type Method } from 'got';
import type { Logger } from '../observability/logger.ts';
import {
  AuthenticationError,
  InvalidRequestError,
  NotFoundError,
  RetryableApiError,
  type ApiErrorDetails,
  type ApiName,
} from './errors.ts';
import type { CredentialRateLimiter } from './rate-limiter.ts';

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
}

export interface HttpClientOptions {
  api: ApiName;
  baseUrl: string;
  headers: Record<string, string>;
  /** Opaque per-credential key for the rate limiter; derive it with `credentialKey`. */
  credentialKey: string;
  limiter: CredentialRateLimiter;
  logger?: Logger;
  timeoutMs?: number;
  /** Delay the API asked for on a 429, in milliseconds. */
  retryAfterMs: (headers: HttpResponse['headers'], now: number) => number | undefined;
  /** The API's own error message from an error body. */
  errorMessage: (body: string) => string | undefined;
}

/** A stable, non-reversible key for one credential: safe to log and to use as a limiter key. */
export const credentialKey = (...parts: string[]) =>
  createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 16);

/**
 * The HTTP core both API clients share: per-credential rate limiting, no automatic retries (Temporal
 * retries activities, and a blind retry of a POST could duplicate a record), request logging without
 * credentials, and mapping of every failure onto the error taxonomy.
 */
export class HttpClient {
  constructor(private readonly options: HttpClientOptions) {}

  get baseUrl(): string {
    return this.options.baseUrl;
  }

  async request(request: HttpRequest): Promise<HttpResponse> {
    const { api, limiter, credentialKey: key } = this.options;
    const url = /^https?:\/\//.test(request.url) ? request.url : `${this.options.baseUrl}${request.url}`;
    const searchParams = Object.fromEntries(
      Object.entries(request.searchParams ?? {}).filter(([, v]) => v !== undefined),
    ) as Record<string, string | number | boolean>;
    const started = Date.now();
    const details = (extra: Partial<ApiErrorDetails> = {}): ApiErrorDetails => ({
      api,
      operation: request.operation,
      ...extra,
    });

    let response: HttpResponse;
    try {
      const raw = await limiter.schedule(key, () =>
        got(url, {
          method: request.method,
          headers: this.options.headers,
          // Only when given: got would otherwise drop a query string already in an absolute URL.
          ...(Object.keys(searchParams).length > 0 ? { searchParams } : {}),
          json: request.json,
          throwHttpErrors: false,
          retry: { limit: 0 },
          followRedirect: false,
          timeout: { request: this.options.timeoutMs ?? 30_000 },
        }),
      );
      response = { status: raw.statusCode, headers: raw.headers, body: raw.body };
    } catch (error) {
      const code = error instanceof RequestError ? error.code : undefined;
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
      throw new RetryableApiError(`${api} ${request.operation}: rate limited (HTTP 429)`, {
        ...info,
        reason: 'rate-limited',
        retryAfterMs: this.options.retryAfterMs(response.headers, Date.now()),
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
}
