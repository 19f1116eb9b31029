// The gateway's admin API, as the CLI uses it: the CLI never opens the tenant store itself (the embedded
// PGlite allows one process only, and that is the running service).
import type { TenantSettings } from '../config/tenant-settings.ts';
import type { ReturnState } from '../workflows/messages.ts';
import { CliError, exitCodes } from './errors.ts';

export interface CreatedInvite {
  id: string;
  url: string;
  expiresAt: string;
}

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
      response = await fetch(`${this.baseUrl}/admin${path}`, {
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
    const message = (parsed as { message?: unknown } | undefined)?.message;
    const detail = typeof message === 'string' ? message : `HTTP ${response.status}`;
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

  createInvite(options: { note?: string; ttlHours?: number }) {
    return this.call<CreatedInvite>('POST', '/invites', options);
  }

  async listTenants(): Promise<TenantSettings[]> {
    return (await this.call<{ tenants: TenantSettings[] }>('GET', '/tenants')).tenants;
  }

  getReturn(tenantId: string, loopReturnId: string) {
    return this.call<ReturnState>('GET', returnPath(tenantId, loopReturnId));
  }

  retryReturn(tenantId: string, loopReturnId: string, by?: string) {
    return this.call<ReturnState>('POST', `${returnPath(tenantId, loopReturnId)}/retry`, by ? { by } : {});
  }
}

const returnPath = (tenantId: string, loopReturnId: string) =>
  `/tenants/${encodeURIComponent(tenantId)}/returns/${encodeURIComponent(loopReturnId)}`;
