import { startFinaleSimulator, type FinaleSimulator } from '../../../sandbox/finale/server.ts';

/** Raw HTTP access to a simulator, as any Finale client would see it. */
export const KEY = 'sim-key';
export const SECRET = 'sim-secret';

export const basic = (key = KEY, secret = SECRET) =>
  `Basic ${Buffer.from(`${key}:${secret}`).toString('base64')}`;

export const filterParam = (filter: unknown) => Buffer.from(JSON.stringify(filter)).toString('base64');

export class SimulatorClient {
  private constructor(readonly sim: FinaleSimulator) {}

  static async start(): Promise<SimulatorClient> {
    return new SimulatorClient(await startFinaleSimulator({ port: 0 }));
  }

  get state() {
    return this.sim.state;
  }

  /** A Finale API call with the seeded credentials unless others are given. */
  api(path: string, init: { method?: string; body?: unknown; authorization?: string | null } = {}) {
    const headers: Record<string, string> = {};
    if (init.authorization !== null) headers.authorization = init.authorization ?? basic();
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    return fetch(`${this.sim.url}${path}`, {
      method: init.method ?? 'GET',
      headers,
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
  }

  async apiJson<T = Record<string, unknown>>(
    path: string,
    init: { method?: string; body?: unknown } = {},
  ): Promise<T> {
    const response = await this.api(path, init);
    if (response.status !== 200) throw new Error(`${path}: HTTP ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  }

  control(path: string, init: { method?: string; body?: unknown } = {}) {
    return fetch(`${this.sim.url}/__control${path}`, {
      method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
      headers: init.body === undefined ? {} : { 'content-type': 'application/json' },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
  }

  close() {
    return this.sim.close();
  }
}
