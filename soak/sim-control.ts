// The simulators' `/__control/` API over HTTP, for a harness that runs them as processes of their own.
import got from 'got';

/** One simulator's controls (see sandbox/shared/README.md and each simulator's README). */
export class SimControl {
  constructor(
    /** The simulator's origin, e.g. http://127.0.0.1:4010. */
    readonly url: string,
  ) {}

  private call<T>(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, json?: unknown): Promise<T> {
    return got(`${this.url}/__control${path}`, {
      method,
      json,
      // A control that fails is the harness's failure: never repeated, since a POST may have been applied.
      retry: { limit: 0 },
      timeout: { request: 60_000 },
    })
      .text()
      .then((text) => (text === '' ? undefined : JSON.parse(text)) as T);
  }

  get = <T>(path: string) => this.call<T>('GET', path);
  post = <T>(path: string, body: unknown = {}) => this.call<T>('POST', path, body);
  patch = <T>(path: string, body: unknown) => this.call<T>('PATCH', path, body);
  delete = (path: string) => this.call<void>('DELETE', path);
}
