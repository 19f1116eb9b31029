import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { demoShop } from '../../../sandbox/loop/demo-seed.ts';
import { freePort } from '../../support/free-port.ts';

describe('sandbox/loop/main.ts', () => {
  it('serves the demo shop on the given port and stops on SIGTERM', async () => {
    const port = await freePort();
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'sandbox/loop/main.ts', '--port', String(port)],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    try {
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const deadline = Date.now() + 15_000;
      while (!output.includes('listening') && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      expect(output).toContain(`http://127.0.0.1:${port}`);

      const response = await fetch(`http://127.0.0.1:${port}/api/2026-07/destinations`, {
        headers: { 'x-authorization': demoShop.apiKey },
      });
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ destinations: [{ name: 'Main Warehouse' }] });
    } finally {
      child.kill('SIGTERM');
    }
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(0);
  });
});
