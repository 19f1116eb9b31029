import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export interface ReceivedWebhook {
  path: string;
  headers: http.IncomingHttpHeaders;
  /** The exact bytes received. */
  raw: Buffer;
}

export interface ScriptedResponse {
  status: number;
  headers?: Record<string, string>;
  /** Answer only after this long (to provoke the sender's timeout). */
  delayMs?: number;
}

/** A webhook endpoint for tests: records raw requests and answers from a script (then 200). */
export async function startWebhookReceiver() {
  const received: ReceivedWebhook[] = [];
  const script: ScriptedResponse[] = [];
  const waiters: Array<() => void> = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ path: request.url ?? '', headers: request.headers, raw: Buffer.concat(chunks) });
      waiters.splice(0).forEach((wake) => wake());
      const next = script.shift() ?? { status: 200 };
      void sleep(next.delayMs ?? 0).then(() => {
        if (response.destroyed) return;
        response.writeHead(next.status, next.headers).end('ok');
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    received,
    /** Queue answers for the next requests. */
    respondWith(...responses: ScriptedResponse[]) {
      script.push(...responses);
    },
    async waitFor(count: number, timeoutMs = 5_000): Promise<ReceivedWebhook[]> {
      const deadline = Date.now() + timeoutMs;
      while (received.length < count) {
        if (Date.now() > deadline) throw new Error(`expected ${count} webhooks, got ${received.length}`);
        await Promise.race([new Promise<void>((wake) => waiters.push(wake)), sleep(50)]);
      }
      return received.slice(0, count);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type WebhookReceiver = Awaited<ReturnType<typeof startWebhookReceiver>>;
