import type { z } from 'zod';
import type { Logger } from '../../observability/logger.ts';
import {
  AuthenticationError,
  InvalidRequestError,
  NotFoundError,
  RetryableApiError,
  type ApiErrorDetails,
} from '../errors.ts';
import {
  credentialKey,
  HttpClient,
  type HttpRequest,
  type HttpResponse,
  type UpstreamBounds,
} from '../http.ts';
import { processLocalBudgets, type ApiBudgets, type CallOptions } from '../rate-limiter.ts';
import {
  describeErrorBody,
  isAlreadyCancelled,
  isAlreadyClosed,
  isFlaggedRefusal,
  isNoSuchReturn,
  isServerSideFailure,
  loopErrorMessage,
  parseJson,
} from './error-bodies.ts';
import { formatLoopDateTime, splitListWindow, type ListWindow } from './list-window.ts';
import { loopReturnSchema, type LoopReturn, type LoopReturnState } from './loop-return.ts';
import { fitLoopNote } from './note-content.ts';
import { DEFAULT_LOOP_RETRY_AFTER_MS, loopRetryAfterMs } from './retry-after.ts';
import { returnsListSchema } from './returns-list.ts';
import {
  describeIssues,
  destinationsResponseSchema,
  webhookSubscriptionSchema,
  webhooksResponseSchema,
} from './schemas.ts';
import { loopAuthMessage, loopScopes, type LoopScope } from './scopes.ts';
import { loopTriggerTopics, type LoopWebhookTopic, type LoopWebhookTrigger } from './webhook-topics.ts';

export const DEFAULT_LOOP_BASE_URL = 'https://api.loopreturns.com/api';
/** Pinned: `v1` is only an alias for 2026-07 and disappears at that version's sunset. */
export const DEFAULT_LOOP_API_VERSION = '2026-07';

/** Pages of one list window read at most: 150,000 returns at 750 a page. More means a broken cursor. */
export const DEFAULT_LOOP_LIST_MAX_PAGES = 200;

export interface LoopClientOptions {
  apiKey: string;
  baseUrl?: string;
  apiVersion?: string;
  /** The key's budget; default: this process's own buckets at the published limit. */
  budgets?: ApiBudgets;
  bounds?: Partial<UpstreamBounds>;
  /** Pages of one list window read at most (`DEFAULT_LOOP_LIST_MAX_PAGES`). */
  maxListPages?: number;
  logger?: Logger;
  timeoutMs?: number;
  /** The cancellation of the work each call is made for (`HttpClientOptions.cancellation`). */
  cancellation?: () => AbortSignal | undefined;
}

/** Every Loop call spends the key's one budget. */
type LoopRequest = Omit<HttpRequest, 'budgets'>;

/** Loop sends IDs as strings or numbers; either is accepted. */
export type LoopId = string | number;

/** Success, or the return was already in a state where the action cannot apply (both are "done"). */
export type LoopActionOutcome = 'applied' | 'already-closed' | 'already-cancelled';

export interface LoopDestination {
  id: string;
  name: string;
  type: string | null;
  enabled: boolean;
  /** Shopify location ID. */
  providerLocationId: string | null;
}

export type LoopWebhookStatus = 'active' | 'inactive';

export interface LoopWebhook {
  id: string;
  topic: string;
  trigger: string;
  url: string;
  status: LoopWebhookStatus;
}

export interface LoopWebhookInput {
  topic: LoopWebhookTopic;
  trigger: LoopWebhookTrigger;
  url: string;
  /** Defaults to `active`: Loop itself defaults to `inactive`, which silently delivers nothing. */
  status?: LoopWebhookStatus;
}

export interface EnsureWebhooksResult {
  created: LoopWebhook[];
  reactivated: LoopWebhook[];
  unchanged: LoopWebhook[];
}

type ReturnAction = 'process' | 'close' | 'flag' | 'cancel';

/** Loop merchant API client. Every failure is one of the error classes in `integrations/errors.ts`. */
export class LoopClient {
  private readonly http: HttpClient;
  private readonly origin: string;
  private readonly maxListPages: number;

  constructor(options: LoopClientOptions) {
    this.maxListPages = options.maxListPages ?? DEFAULT_LOOP_LIST_MAX_PAGES;
    const root = (options.baseUrl ?? DEFAULT_LOOP_BASE_URL).replace(/\/+$/, '');
    const baseUrl = `${root}/${options.apiVersion ?? DEFAULT_LOOP_API_VERSION}`;
    this.origin = new URL(baseUrl).origin;
    this.http = new HttpClient({
      api: 'loop',
      baseUrl,
      // The raw key, no `Bearer`; JSON Accept keeps Laravel from answering auth failures with redirects.
      headers: { 'X-Authorization': options.apiKey, Accept: 'application/json' },
      credentialKey: credentialKey('loop', options.apiKey),
      budgets: options.budgets ?? processLocalBudgets(),
      bounds: options.bounds,
      logger: options.logger,
      timeoutMs: options.timeoutMs,
      cancellation: options.cancellation,
      retryAfterMs: loopRetryAfterMs,
      defaultRetryAfterMs: DEFAULT_LOOP_RETRY_AFTER_MS,
      errorMessage: loopErrorMessage,
    });
  }

  /** Return details, without customer PII. */
  async getReturn(returnId: LoopId, options: CallOptions = {}): Promise<LoopReturn> {
    const operation = 'getReturn';
    const response = await this.send(
      {
        method: 'GET',
        url: '/warehouse/return/details',
        operation,
        priority: options.priority,
        searchParams: { return_id: normaliseId(returnId, operation) },
      },
      loopScopes.returns,
    );
    // Details answers a miss with HTTP 200 and `{"error":{"message":…}}`.
    return this.parse(loopReturnSchema, response, operation, 'not-found');
  }

  /**
   * Every return updated in [from, to]. Windows over Loop's 120-day limit are split into 100-day
   * windows and the results de-duplicated by ID; every page of each window is read, up to `maxListPages`.
   */
  async listReturnsUpdated(
    query: { from: Date; to: Date; state?: LoopReturnState },
    options: CallOptions = {},
  ): Promise<LoopReturn[]> {
    const byId = new Map<string, LoopReturn>();
    for (const window of splitListWindow(query.from, query.to)) {
      for (const item of await this.listWindow(window, query.state, options)) byId.set(item.id, item);
    }
    return [...byId.values()];
  }

  /** Process (fulfil outcomes and archive). Asynchronous in Loop: `applied` means queued. */
  processReturn(returnId: LoopId): Promise<LoopActionOutcome> {
    return this.act(returnId, 'process');
  }

  /** Close without fulfilling outcomes (also closes the Shopify return). */
  closeReturn(returnId: LoopId): Promise<LoopActionOutcome> {
    return this.act(returnId, 'close');
  }

  /** Flag for manual review. Loop takes no reason: follow with `addNote`. */
  flagReturn(returnId: LoopId): Promise<LoopActionOutcome> {
    return this.act(returnId, 'flag');
  }

  cancelReturn(returnId: LoopId): Promise<LoopActionOutcome> {
    return this.act(returnId, 'cancel');
  }

  /** Adds a note; content is trimmed and cut to Loop's limit of 254 characters. */
  async addNote(returnId: LoopId, content: string): Promise<void> {
    const operation = 'addNote';
    const note = fitLoopNote(content);
    if (note === '')
      throw new InvalidRequestError(`loop ${operation}: note is empty`, { api: 'loop', operation });
    const response = await this.send(
      {
        method: 'POST',
        url: `/warehouse/return/${encodeURIComponent(normaliseId(returnId, operation))}/note`,
        operation,
        json: { content: note },
      },
      loopScopes.returns,
    );
    const value = parseJson(response.body);
    if (value === 'true') return;
    throw this.errorFromBody(value, response.status, operation) ?? notTrue(operation, response.status);
  }

  /** Destinations; also the cheap check that the key holds Destinations (Read). */
  async listDestinations(options: CallOptions = {}): Promise<LoopDestination[]> {
    const operation = 'listDestinations';
    const response = await this.send(
      { method: 'GET', url: '/destinations', operation, priority: options.priority },
      loopScopes.destinationsRead,
    );
    return this.parse(destinationsResponseSchema, response, operation).destinations.map((d) => ({
      id: d.id,
      name: d.name,
      type: d.type ?? null,
      // Documented as always present; absent is read as enabled rather than hiding the destination.
      enabled: d.enabled !== false,
      providerLocationId: d.provider_location_id,
    }));
  }

  async listWebhooks(options: CallOptions = {}): Promise<LoopWebhook[]> {
    const operation = 'listWebhooks';
    const response = await this.send(
      { method: 'GET', url: '/webhooks', operation, priority: options.priority },
      loopScopes.developerTools,
    );
    return this.parse(webhooksResponseSchema, response, operation).webhooks;
  }

  async createWebhook(input: LoopWebhookInput): Promise<LoopWebhook> {
    const operation = 'createWebhook';
    const response = await this.send(
      { method: 'POST', url: '/webhooks', operation, json: webhookBody(input) },
      loopScopes.developerTools,
    );
    return this.parse(webhookSubscriptionSchema, response, operation);
  }

  /** Replaces a subscription; Loop requires topic, trigger and url on every update. */
  async updateWebhook(webhookId: LoopId, input: LoopWebhookInput): Promise<void> {
    const operation = 'updateWebhook';
    const response = await this.send(
      {
        method: 'PUT',
        url: `/webhooks/${encodeURIComponent(normaliseId(webhookId, operation))}`,
        operation,
        json: webhookBody(input),
      },
      loopScopes.developerTools,
    );
    this.expectNoError(response, operation);
  }

  /** Deletes a subscription; NotFoundError when it does not exist. */
  async deleteWebhook(webhookId: LoopId): Promise<void> {
    const operation = 'deleteWebhook';
    const response = await this.send(
      {
        method: 'DELETE',
        url: `/webhooks/${encodeURIComponent(normaliseId(webhookId, operation))}`,
        operation,
      },
      loopScopes.developerTools,
    );
    this.expectNoError(response, operation);
  }

  /**
   * Makes sure an active subscription exists for each trigger at `url`: lists first, re-activates an
   * inactive match (Loop deactivates failing webhooks), creates only what is missing.
   */
  async ensureWebhooks(url: string, triggers: readonly LoopWebhookTrigger[]): Promise<EnsureWebhooksResult> {
    const existing = await this.listWebhooks();
    const result: EnsureWebhooksResult = { created: [], reactivated: [], unchanged: [] };
    for (const trigger of new Set(triggers)) {
      const topic = loopTriggerTopics[trigger];
      const matches = existing.filter((w) => w.topic === topic && w.trigger === trigger && w.url === url);
      const active = matches.find((w) => w.status === 'active');
      const inactive = matches[0];
      if (active) {
        result.unchanged.push(active);
      } else if (inactive) {
        await this.updateWebhook(inactive.id, { topic, trigger, url, status: 'active' });
        result.reactivated.push({ ...inactive, status: 'active' });
      } else {
        result.created.push(await this.createWebhook({ topic, trigger, url, status: 'active' }));
      }
    }
    return result;
  }

  private async listWindow(
    window: ListWindow,
    state: LoopReturnState | undefined,
    options: CallOptions,
  ): Promise<LoopReturn[]> {
    const operation = 'listReturnsUpdated';
    const returns: LoopReturn[] = [];
    const visited = new Set<string>();
    let request: LoopRequest = {
      method: 'GET',
      url: '/warehouse/return/list',
      operation,
      priority: options.priority,
      searchParams: {
        from: formatLoopDateTime(window.from),
        to: formatLoopDateTime(window.to),
        filter: 'updated_at',
        state,
        paginate: true,
        pageSize: 750,
      },
    };
    for (let pages = 1; ; pages++) {
      const response = await this.send(request, loopScopes.returns);
      const page = this.parse(returnsListSchema, response, operation);
      returns.push(...page.returns);
      if (!page.nextPageUrl) return returns;
      if (visited.has(page.nextPageUrl))
        throw unexpected(operation, response.status, 'nextPageUrl repeats a page');
      if (pages >= this.maxListPages) {
        throw new RetryableApiError(
          `loop ${operation}: more than ${this.maxListPages} pages in one list window; stopped reading ` +
            '(LOOP_LIST_MAX_PAGES bounds it; raise it only if the shop really has that many returns in the window)',
          { ...errorDetails(operation, response.status), reason: 'too-large' },
        );
      }
      visited.add(page.nextPageUrl);
      request = { ...this.nextPageRequest(page.nextPageUrl, operation), priority: options.priority };
    }
  }

  private nextPageRequest(nextPageUrl: string, operation: string): LoopRequest {
    const next = new URL(nextPageUrl, `${this.http.baseUrl}/`);
    // Never send the key to a host other than the configured API.
    if (next.origin !== this.origin)
      throw unexpected(operation, undefined, 'nextPageUrl points at another host');
    // HttpClient always passes `searchParams`, and got then drops any query already in the URL.
    return {
      method: 'GET',
      url: `${next.origin}${next.pathname}`,
      operation,
      searchParams: Object.fromEntries(next.searchParams),
    };
  }

  private async act(returnId: LoopId, action: ReturnAction): Promise<LoopActionOutcome> {
    const operation = `${action}Return`;
    let response: HttpResponse;
    try {
      response = await this.send(
        {
          method: 'POST',
          url: `/warehouse/return/${encodeURIComponent(normaliseId(returnId, operation))}/${action}`,
          operation,
        },
        loopScopes.returns,
      );
    } catch (error) {
      // Loop documents these refusals under HTTP 200; should one arrive as a 4xx it means the same.
      if (error instanceof InvalidRequestError && isAlreadyClosed(error.apiMessage)) return 'already-closed';
      if (error instanceof InvalidRequestError && isAlreadyCancelled(error.apiMessage))
        return 'already-cancelled';
      throw error;
    }
    // Success is only ever the literal JSON string "true"; anything else under 200 is a refusal.
    const value = parseJson(response.body);
    if (value === 'true') return 'applied';
    const refusal = describeErrorBody(value);
    if (refusal && !isFlaggedRefusal(refusal) && !isNoSuchReturn(refusal)) {
      if (isAlreadyClosed(refusal.message)) return 'already-closed';
      if (isAlreadyCancelled(refusal.message)) return 'already-cancelled';
    }
    throw this.errorFromBody(value, response.status, operation) ?? notTrue(operation, response.status);
  }

  /** One request, with a 401/403 turned into a message a merchant can act on. */
  private async send(request: LoopRequest, scope: LoopScope): Promise<HttpResponse> {
    let response: HttpResponse;
    try {
      response = await this.http.request({ ...request, budgets: ['loop'] });
    } catch (error) {
      if (!(error instanceof AuthenticationError)) throw error;
      throw new AuthenticationError(loopAuthMessage(scope, error.status, error.apiMessage), {
        ...errorDetails(request.operation, error.status, error.apiMessage),
        cause: error,
      });
    }
    // Redirects are not followed (they could carry the key elsewhere) and never expected from Loop.
    if (response.status >= 300)
      throw unexpected(request.operation, response.status, `HTTP ${response.status}`);
    return response;
  }

  private parse<T>(
    schema: z.ZodType<T>,
    response: HttpResponse,
    operation: string,
    errorBodyMeans: 'not-found' | 'invalid' = 'invalid',
  ): T {
    const value = parseJson(response.body);
    const result = schema.safeParse(value);
    if (result.success) return result.data;
    throw (
      this.errorFromBody(value, response.status, operation, errorBodyMeans) ??
      unexpected(operation, response.status, describeIssues(result.error).join('; '))
    );
  }

  private expectNoError(response: HttpResponse, operation: string): void {
    if (response.body.trim() === '') return;
    const error = this.errorFromBody(parseJson(response.body), response.status, operation);
    if (error) throw error;
  }

  /** The taxonomy error for an error body Loop sent with a 2xx status, or undefined if it is not one. */
  private errorFromBody(
    value: unknown,
    status: number,
    operation: string,
    errorBodyMeans: 'not-found' | 'invalid' = 'invalid',
  ): Error | undefined {
    const error = describeErrorBody(value);
    if (!error) return undefined;
    const apiMessage = error.message ?? error.code;
    const details = errorDetails(operation, status, apiMessage);
    if (isServerSideFailure(error)) {
      return new RetryableApiError(`loop ${operation}: Loop failed: ${apiMessage}`, {
        ...details,
        reason: 'server',
      });
    }
    if (isNoSuchReturn(error) || errorBodyMeans === 'not-found') {
      return new NotFoundError(`loop ${operation}: not found: ${apiMessage}`, details);
    }
    return new InvalidRequestError(`loop ${operation}: rejected: ${apiMessage}`, details);
  }
}

const errorDetails = (operation: string, status?: number, apiMessage?: string): ApiErrorDetails => ({
  api: 'loop',
  operation,
  status,
  apiMessage,
});

/** A response Loop should never send; retryable because the usual cause is a proxy or a truncated body. */
const unexpected = (operation: string, status: number | undefined, why: string) =>
  new RetryableApiError(`loop ${operation}: unexpected response (${why})`, {
    ...errorDetails(operation, status),
    reason: 'server',
  });

const notTrue = (operation: string, status: number) =>
  unexpected(operation, status, 'body is not the literal "true"');

function normaliseId(id: LoopId, operation: string): string {
  const text = String(id).trim();
  if (text === '') throw new InvalidRequestError(`loop ${operation}: empty ID`, errorDetails(operation));
  return text;
}

const webhookBody = (input: LoopWebhookInput) => ({
  topic: input.topic,
  trigger: input.trigger,
  url: input.url,
  status: input.status ?? 'active',
});
