import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadOrCreateSecretKey } from '../../store/secret-key.ts';

describe('loadOrCreateSecretKey', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'secret-key-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('generates a key once into <dataDir>/secrets.key, readable only by its owner', async () => {
    const dataDir = path.join(dir, 'fresh', 'data');
    const first = await loadOrCreateSecretKey(dataDir);
    expect(first).toHaveLength(32);
    const file = path.join(dataDir, 'secrets.key');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(Buffer.from(await readFile(file, 'utf8'), 'base64').equals(first)).toBe(true);
    expect((await loadOrCreateSecretKey(dataDir)).equals(first)).toBe(true);
  });

  it('agrees on one key when several processes start at once', async () => {
    const keys = await Promise.all(Array.from({ length: 8 }, () => loadOrCreateSecretKey(dir)));
    expect(new Set(keys.map((k) => k.toString('hex'))).size).toBe(1);
  });

  it('prefers SECRETS_KEY and leaves the data folder alone', async () => {
    const key = randomBytes(32);
    expect((await loadOrCreateSecretKey(dir, key.toString('base64'))).equals(key)).toBe(true);
    await expect(stat(path.join(dir, 'secrets.key'))).rejects.toThrow(/ENOENT/);
    await expect(loadOrCreateSecretKey(dir, 'short')).rejects.toThrow(
      /SECRETS_KEY must be base64 of exactly 32/,
    );
  });

  it('refuses a damaged key file instead of replacing it', async () => {
    const file = path.join(dir, 'secrets.key');
    await writeFile(file, 'truncated', { mode: 0o600 });
    await expect(loadOrCreateSecretKey(dir)).rejects.toThrow(`${file} must be base64 of exactly 32 bytes`);
    expect(await readFile(file, 'utf8')).toBe('truncated');
  });
});
