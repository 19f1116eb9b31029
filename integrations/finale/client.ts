import { z } from 'zod';
import type { Logger } from '../../observability/logger.ts';
import {
  AuthenticationError,
  InvalidRequestError,
  NotFoundError,
  type ApiError,
  type ApiErrorDetails,
} from '../errors.ts';
import type { BudgetName } from '../budget-rules.ts';
import {
  HttpClient,
  credentialKey,
  shareAcrossCallers,
  untilCancelled,
  type HttpRequest,
  type HttpResponse,
  type UpstreamBounds,
} from '../http.ts';
import { processLocalBudgets, type ApiBudgets, type CallOptions } from '../rate-limiter.ts';
import { transposeColumns } from './columns.ts';
import { formatFinaleDate } from './finale-date.ts';
import {
  encodeFilter,
  exactly,
  updatedWindowProblem,
  updatedWindowRange,
  type FinaleFilter,
} from './filter.ts';
import { matchLocation, toFacilities } from './locations.ts';
import { orderIdCandidates, type OrderIdForm } from './order-id-forms.ts';
import { DEFAULT_RATE_LIMIT_WAIT_MS, finaleRetryAfterMs } from './rate-limit.ts';
import {
  facilityRowSchema,
  orderRecordSchema,
  productRowSchema,
  returnRecordSchema,
  toFinaleReturn,
  type ReturnRecord,
} from './records.ts';
import { finaleErrorMessage, readFinaleBody } from './response-body.ts';
import type {
  Facility,
  FinaleOrder,
  FinaleProduct,
  FinaleReturn,
  LocationMatch,
  NewFinaleReturn,
  ReturnChangesQuery,
} from './types.ts';

export interface FinaleClientOptions {
  /** The path segment after the host in the Finale web address, e.g. `mystore`. */
  accountName: string;
  apiKey: string;
  apiSecret: string;
  baseUrl?: string;
  /** The credential's budgets; default: this process's own buckets at the published limits. */
  budgets?: ApiBudgets;
  bounds?: Partial<UpstreamBounds>;
  logger?: Logger;
  timeoutMs?: number;
  /** The cancellation of the work each call is made for (`HttpClientOptions.cancellation`). */
  cancellation?: () => AbortSignal | undefined;
}

const FINALE_BASE_URL = 'https://app.finaleinventory.com';

/** What a 404 means for a request: a missing record, or (for collections, which always exist) a wrong account. */
type NotFoundMeaning = 'record' | 'account';

/** A request before its budgets are known: a collection read spends the hourly collection budget and a GET. */
type FinaleRequest = Omit<HttpRequest, 'budgets'> & { collection?: boolean };

function budgetsOf(request: FinaleRequest): BudgetName[] {
  if (request.method !== 'GET') return ['finale-post'];
  return request.collection ? ['finale-collection', 'finale-get'] : ['finale-get'];
}

const newReturnSchema = z.object({
  returnId: z.string().regex(/^[\x20-\x7e]{1,20}$/, 'returnId must be 1 to 20 printable ASCII characters'),
  primaryOrderUrl: z.string(),
  destinationFacilityUrl: z.string(),
  returnDate: z.date().optional(),
  notes: z.string().optional(),
  items: z
    .array(
      z.object({
        productUrl: z.string(),
        quantity: z.number().positive(),
        returnReasonId: z.string().min(1).optional(),
      }),
    )
    .min(1, 'a return needs at least one item'),
});

const columnsSchema = z.record(z.string(), z.unknown());

/**
 * Account roots that have answered at least once in this process. A 404 on a single record is ambiguous
 * (missing record or wrong account); the account is checked once, not on every 404, because that check is
 * a collection read and those are budgeted per hour.
 */
const accountsSeen = new Set<string>();
/**
 * Account checks in flight, per account root and credential: a burst of 404s (new orders not synced yet)
 * before the first answer shares one check rather than spending a collection read each.
 */
const accountChecks = new Map<string, Promise<void>>();

/**
 * Finale Inventory REST client for one account and API key. Every failure is one of the error classes in
 * `integrations/errors.ts`, including the ones Finale hides in 2xx answers.
 */
export class FinaleClient {
  private readonly http: HttpClient;
  private readonly accountName: string;
  /** `/{account}/api`: every resource URL of this account starts with it, including host-relative ones Finale returns. */
  private readonly apiRoot: string;
  private readonly accountRootKey: string;
  private readonly credentialKey: string;
  private readonly logger: Logger | undefined;
  private readonly cancellation: (() => AbortSignal | undefined) | undefined;

  constructor(options: FinaleClientOptions) {
    // Finale account paths are lower case; merchants type them however they like.
    this.accountName = options.accountName.trim().toLowerCase();
    this.apiRoot = `/${encodeURIComponent(this.accountName)}/api`;
    // Resource URLs come back host-relative (`/acct/api/order/1`), so requests are made against the origin.
    const origin = new URL(options.baseUrl ?? FINALE_BASE_URL).origin;
    this.accountRootKey = `${origin}${this.apiRoot}`;
    this.logger = options.logger;
    this.cancellation = options.cancellation;
    this.credentialKey = credentialKey('finale', options.apiKey);
    this.http = new HttpClient({
      api: 'finale',
      baseUrl: origin,
      headers: {
        authorization: `Basic ${Buffer.from(`${options.apiKey}:${options.apiSecret}`).toString('base64')}`,
        accept: 'application/json',
      },
      credentialKey: this.credentialKey,
      budgets: options.budgets ?? processLocalBudgets(),
      bounds: options.bounds,
      logger: options.logger,
      timeoutMs: options.timeoutMs,
      cancellation: options.cancellation,
      retryAfterMs: finaleRetryAfterMs,
      defaultRetryAfterMs: DEFAULT_RATE_LIMIT_WAIT_MS,
      errorMessage: finaleErrorMessage,
    });
  }

  /** One cheap read that tells a bad key/secret (401) from a wrong account name (404), in words a merchant can act on. */
  async checkCredentials(): Promise<void> {
    await this.readCollection('facility', facilityRowSchema, 'finale.checkCredentials', { limit: 1 });
  }

  async listFacilities(options: CallOptions = {}): Promise<Facility[]> {
    return toFacilities(
      await this.readCollection('facility', facilityRowSchema, 'finale.listFacilities', {}, options),
    );
  }

  /** Exact name match on an active location (never a sublocation); on a miss, the names the merchant may have meant. */
  async resolveLocation(name: string, options: CallOptions = {}): Promise<LocationMatch> {
    return matchLocation(await this.listFacilities(options), name);
  }

  /**
   * Tries each configured form of a Shopify order name (`#1001`, `1001`, …) as a Finale orderId.
   * `undefined` when none exists (yet: orders sync from Shopify with a lag); any other failure propagates.
   */
  async getOrder(
    orderName: string,
    forms: readonly OrderIdForm[],
    options: CallOptions = {},
  ): Promise<FinaleOrder | undefined> {
    const operation = 'finale.getOrder';
    const candidates = orderIdCandidates(orderName, forms);
    if (candidates.length === 0) throw this.invalid(operation, `no order ID to look up for "${orderName}"`);
    for (const orderId of candidates) {
      try {
        const order = await this.getJson(
          {
            method: 'GET',
            url: `${this.apiRoot}/order/${encodeURIComponent(orderId)}`,
            operation,
            priority: options.priority,
          },
          'record',
        );
        return this.parse(orderRecordSchema, order, operation);
      } catch (error) {
        if (!(error instanceof NotFoundError)) throw error;
      }
    }
    return undefined;
  }

  /** SKU → product through the filtered collection: a productUrl may use an internal number, so it is never built from the SKU. */
  async resolveProduct(sku: string, options: CallOptions = {}): Promise<FinaleProduct | undefined> {
    const operation = 'finale.resolveProduct';
    if (sku.trim() === '') throw this.invalid(operation, 'the SKU is empty');
    const products = await this.readCollection(
      'product',
      productRowSchema,
      operation,
      { filter: { productId: exactly(sku) } },
      options,
    );
    return products.find((product) => product.productId === sku);
  }

  /**
   * Creates a return. Never retry this blindly: a timed-out create may have succeeded, so look the
   * returnId up first (`CoalescedReturnLookup`, in `return-lookup.ts`).
   */
  async createReturn(input: NewFinaleReturn): Promise<FinaleReturn> {
    const operation = 'finale.createReturn';
    const checked = newReturnSchema.safeParse(input);
    if (!checked.success) throw this.invalid(operation, z.prettifyError(checked.error));
    const request = checked.data;
    for (const url of [
      request.primaryOrderUrl,
      request.destinationFacilityUrl,
      ...request.items.map((i) => i.productUrl),
    ]) {
      this.assertAccountUrl(url, operation);
    }
    const created = await this.getJson(
      {
        method: 'POST',
        url: `${this.apiRoot}/return`,
        operation,
        json: {
          returnId: request.returnId,
          primaryOrderUrl: request.primaryOrderUrl,
          destinationFacilityUrl: request.destinationFacilityUrl,
          returnDate: request.returnDate && formatFinaleDate(request.returnDate),
          notes: request.notes,
          returnItemList: request.items.map((item) => ({
            productUrl: item.productUrl,
            quantity: item.quantity,
            returnReasonId: item.returnReasonId,
          })),
        },
      },
      'account',
    );
    // A 2xx without the new record's URL is how some failed writes look; it may or may not have been created.
    if (!z.object({ returnUrl: z.string().min(1) }).safeParse(created).success) {
      throw this.invalid(
        operation,
        'Finale answered the create without a returnUrl; whether the return exists is unknown, so look it up by returnId',
      );
    }
    return toFinaleReturn(this.parse(returnRecordSchema, created, operation));
  }

  /** Follows a host-relative returnUrl as Finale gave it. */
  async getReturn(returnUrl: string, options: CallOptions = {}): Promise<FinaleReturn> {
    return toFinaleReturn(await this.readReturn(returnUrl, 'finale.getReturn', options));
  }

  /**
   * Returns changed in a `lastUpdatedDate` window (at most 30 days), in one collection read. Statuses are
   * filtered here rather than in the request because Finale documents filters as possibly single-key.
   */
  async listReturnsChanged(query: ReturnChangesQuery, options: CallOptions = {}): Promise<FinaleReturn[]> {
    const operation = 'finale.listReturnsChanged';
    const problem = updatedWindowProblem(query, Date.now());
    if (problem) throw this.invalid(operation, problem);
    const returns = await this.readCollection(
      'return',
      returnRecordSchema,
      operation,
      { filter: { lastUpdatedDate: updatedWindowRange(query) } },
      options,
    );
    const statuses = query.statuses && new Set<string>(query.statuses);
    return returns.filter((record) => !statuses || statuses.has(record.statusId)).map(toFinaleReturn);
  }

  /** Cancels through the record's own action URL. Already cancelled counts as done; completed cannot be cancelled. */
  async cancelReturn(returnUrl: string): Promise<FinaleReturn> {
    const operation = 'finale.cancelReturn';
    const record = await this.readReturn(returnUrl, operation);
    if (record.statusId === 'RETURN_CANCELLED') return toFinaleReturn(record);
    if (record.statusId === 'RETURN_COMPLETED') {
      throw this.invalid(
        operation,
        `return ${record.returnId} is already completed in Finale and can no longer be cancelled`,
      );
    }
    if (!record.actionUrlCancel) {
      throw this.invalid(
        operation,
        `Finale offers no cancel action for return ${record.returnId} (${record.statusId})`,
      );
    }
    const answer = await this.send(
      { method: 'POST', url: this.assertAccountUrl(record.actionUrlCancel, operation), operation },
      'record',
    );
    // Action answers are undocumented: an empty body is fine, an error-shaped one is not.
    if (answer.body.trim() !== '') this.bodyValue(answer, operation);
    const after = await this.readReturn(returnUrl, operation);
    if (after.statusId !== 'RETURN_CANCELLED') {
      throw this.invalid(
        operation,
        `Finale accepted the cancel but return ${after.returnId} is ${after.statusId}`,
      );
    }
    return toFinaleReturn(after);
  }

  private async readReturn(
    returnUrl: string,
    operation: string,
    options: CallOptions = {},
  ): Promise<ReturnRecord> {
    const url = this.assertAccountUrl(returnUrl, operation);
    return this.parse(
      returnRecordSchema,
      await this.getJson({ method: 'GET', url, operation, priority: options.priority }, 'record'),
      operation,
    );
  }

  private async readCollection<T>(
    resource: string,
    schema: z.ZodType<T>,
    operation: string,
    query: { filter?: FinaleFilter; limit?: number } = {},
    options: CallOptions = {},
  ): Promise<T[]> {
    const body = await this.getJson(
      {
        method: 'GET',
        url: `${this.apiRoot}/${resource}`,
        operation,
        collection: true,
        priority: options.priority,
        searchParams: { filter: query.filter && encodeFilter(query.filter), limit: query.limit },
      },
      'account',
    );
    const rows = transposeColumns(this.parse(columnsSchema, body, operation));
    const records = rows.flatMap((row) => {
      const parsed = schema.safeParse(row);
      return parsed.success ? [parsed.data] : [];
    });
    if (records.length < rows.length) {
      this.logger?.warn(
        { api: 'finale', operation, skipped: rows.length - records.length },
        'skipped collection rows without the fields the client needs',
      );
    }
    return records;
  }

  private async getJson(request: FinaleRequest, notFound: NotFoundMeaning): Promise<unknown> {
    return this.bodyValue(await this.send(request, notFound), request.operation);
  }

  private bodyValue(response: HttpResponse, operation: string): unknown {
    const body = readFinaleBody(response.body);
    if (!body.ok) {
      const details = { status: response.status, apiMessage: body.message };
      throw this.invalid(operation, `Finale said: ${body.message}`, details);
    }
    return body.value;
  }

  private async send(request: FinaleRequest, notFound: NotFoundMeaning): Promise<HttpResponse> {
    const { collection: _collection, ...rest } = request;
    try {
      const response = await this.http.request({ ...rest, budgets: budgetsOf(request) });
      accountsSeen.add(this.accountRootKey);
      return response;
    } catch (error) {
      throw await this.explain(error, request.operation, notFound);
    }
  }

  /** Rewrites authentication failures into messages a merchant can act on. */
  private async explain(error: unknown, operation: string, notFound: NotFoundMeaning): Promise<unknown> {
    const details = (cause: ApiError): ApiErrorDetails => ({
      api: 'finale',
      operation,
      status: cause.status,
      apiMessage: cause.apiMessage,
      cause,
    });
    if (error instanceof AuthenticationError && error.status === 401) {
      return new AuthenticationError(
        'Finale rejected the API key or secret. Check both under Application settings → Users → API keys in Finale.',
        details(error),
      );
    }
    if (!(error instanceof NotFoundError)) return error;
    if (notFound === 'account') {
      return new AuthenticationError(
        `Finale has no account named "${this.accountName}". The account name is the part of your Finale web address after app.finaleinventory.com/, e.g. "mystore".`,
        details(error),
      );
    }
    // Throws the account error above if the account itself is wrong.
    if (!accountsSeen.has(this.accountRootKey)) await this.checkAccountOnce();
    return error;
  }

  private checkAccountOnce(): Promise<void> {
    const id = `${this.accountRootKey}\u0000${this.credentialKey}`;
    let check = accountChecks.get(id);
    if (!check) {
      check = shareAcrossCallers(() => this.checkCredentials()).finally(() => accountChecks.delete(id));
      accountChecks.set(id, check);
    }
    return untilCancelled(check, this.cancellation?.());
  }

  /** Only URLs of this account are followed: they carry the credentials, so a stray URL must not take them elsewhere. */
  private assertAccountUrl(url: string, operation: string): string {
    if (!url.startsWith(`${this.apiRoot}/`)) {
      throw this.invalid(operation, `"${url}" is not a resource URL of Finale account "${this.accountName}"`);
    }
    return url;
  }

  private invalid(
    operation: string,
    message: string,
    extra: Pick<ApiErrorDetails, 'status' | 'apiMessage'> = {},
  ): InvalidRequestError {
    return new InvalidRequestError(`${operation}: ${message}`, { api: 'finale', operation, ...extra });
  }

  private parse<T>(schema: z.ZodType<T>, value: unknown, operation: string): T {
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      throw this.invalid(operation, `unexpected response from Finale: ${z.prettifyError(parsed.error)}`);
    }
    return parsed.data;
  }
}
