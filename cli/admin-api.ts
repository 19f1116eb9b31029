// The gateway's admin API, as the CLI uses it: the CLI never opens the tenant store itself (the embedded
// PGlite allows one process only, and that is the running service). Bodies and answers are typed by the
// schemas the gateway's routes validate and serialise with (gateway/admin/schemas.ts).
import {
  errorAnswer,
  type CreatedInviteAnswer,
  type CreateInviteBody,
  type FixLinesBody,
  type RetryBody,
  type RetryParkedAnswer,
  type RetryParkedBody,
  type ReturnStateAnswer,
  type TenantsAnswer,
} from '../gateway/admin/schemas.ts';
import { adminPrefix } from '../gateway/public-urls.ts';
import { CliError, exitCodes } from './errors.ts';

/** An answer other than 2xx, with the gateway's own message. */
export class AdminApiError extends CliError {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message, status === 401 || status === 403 ? exitCodes.usage : exitCodes.failed);
  }
}

export class AdminApi {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
  ) {}

  private async call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${adminPrefix}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(30_000),
      });
    } catch (error) {
      const reason =
        error instanceof Error
          ? error.cause instanceof Error
            ? error.cause.message
            : error.message
          : String(error);
      throw new CliError(
        `Cannot reach the gateway at ${this.baseUrl} (${reason}). Is npm start (or the gateway) running? ` +
          'Point the CLI elsewhere with --gateway-url or GATEWAY_URL.',
        exitCodes.usage,
      );
    }
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (response.ok) return parsed as T;
    const refusal = errorAnswer.safeParse(parsed);
    const detail = refusal.success
      ? [refusal.data.message, ...(refusal.data.issues ?? [])].join('\n  ')
      : `HTTP ${response.status}`;
    if (response.status === 401) {
      throw new AdminApiError(
        401,
        `The gateway refused the admin token (${detail}). Check ADMIN_TOKEN or --data-dir.`,
      );
    }
    if (response.status === 404 && /admin API is disabled/i.test(detail)) {
      throw new AdminApiError(404, `${detail} Start the gateway with ADMIN_TOKEN set.`);
    }
    throw new AdminApiError(response.status, detail);
  }

  createInvite(body: CreateInviteBody) {
    return this.call<CreatedInviteAnswer>('POST', '/invites', body);
  }

  async listTenants(): Promise<TenantsAnswer['tenants']> {
    return (await this.call<TenantsAnswer>('GET', '/tenants')).tenants;
  }

  getReturn(tenantId: string, loopReturnId: string) {
    return this.call<ReturnStateAnswer>('GET', returnPath(tenantId, loopReturnId));
  }

  retryParked(tenantId: string, filter: { code?: string; by?: string }) {
    const body: RetryParkedBody = {
      ...(filter.code ? { code: filter.code } : {}),
      ...(filter.by ? { by: filter.by } : {}),
    };
    return this.call<RetryParkedAnswer>(
      'POST',
      `/tenants/${encodeURIComponent(tenantId)}/retry-parked`,
      body,
    );
  }

  retryReturn(tenantId: string, loopReturnId: string, by?: string) {
    const body: RetryBody = by ? { by } : {};
    return this.call<ReturnStateAnswer>('POST', `${returnPath(tenantId, loopReturnId)}/retry`, body);
  }

  fixLines(tenantId: string, loopReturnId: string, body: FixLinesBody) {
    return this.call<ReturnStateAnswer>('POST', `${returnPath(tenantId, loopReturnId)}/fix-lines`, body);
  }
}

const returnPath = (tenantId: string, loopReturnId: string) =>
  `/tenants/${encodeURIComponent(tenantId)}/returns/${encodeURIComponent(loopReturnId)}`;
