import { describe, expect, it } from 'vitest';
import { assertPortsFree, listenChecked, listeners, PortsInUseError } from '../../startup/ports.ts';
import { occupyPort } from '../support/busy-port.ts';
import { freePort } from '../support/free-port.ts';

describe('port checks', () => {
  it('passes free ports, port 0 and listeners that are off', async () => {
    await expect(
      assertPortsFree([
        listeners.gateway({ GATEWAY_HOST: '127.0.0.1', GATEWAY_PORT: await freePort() }),
        listeners.loopSimulator({ LOOP_SIM_PORT: 0 }),
        listeners.sdkMetrics({ TEMPORAL_METRICS_ADDRESS: undefined }),
      ]),
    ).resolves.toBeUndefined();
  });

  it('reports a port taken between the check and the listen as the check does', async () => {
    const busy = await occupyPort();
    try {
      const listener = listeners.finaleSimulator({ FINALE_SIM_PORT: busy.port });
      const taken = Object.assign(new Error(`listen EADDRINUSE 127.0.0.1:${busy.port}`), {
        code: 'EADDRINUSE',
      });
      const failure = listenChecked([listener], () => Promise.reject(taken));
      await expect(failure).rejects.toBeInstanceOf(PortsInUseError);
      await expect(failure).rejects.toThrow(`127.0.0.1:${busy.port} (FINALE_SIM_PORT)`);

      const other = new Error('something else');
      await expect(listenChecked([listener], () => Promise.reject(other))).rejects.toBe(other);
      await expect(listenChecked([listener], async () => 'listening')).resolves.toBe('listening');
    } finally {
      await busy.close();
    }
  });
});
