import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  decryptSecret,
  encryptSecret,
  parseSecretKey,
  SecretDecryptionError,
  SecretKeyError,
  secretKeyId,
} from '../../store/secret-crypto.ts';

const key = randomBytes(32);

describe('secret crypto', () => {
  it('round-trips and never repeats a ciphertext (fresh IV per value)', () => {
    const a = encryptSecret(key, 'hunter2', 'tenant a');
    const b = encryptSecret(key, 'hunter2', 'tenant a');
    expect(a).not.toBe(b);
    expect(a).toMatch(new RegExp(`^v1:${secretKeyId(key)}:[\\w-]{16}:[\\w-]{22}:[\\w-]+$`));
    expect(a).not.toContain('hunter2');
    expect(decryptSecret(key, a, 'tenant a')).toBe('hunter2');
  });

  it('fails with a clear error, never garbage, under another key', () => {
    const stored = encryptSecret(key, 'hunter2', 'tenant a');
    expect(() => decryptSecret(randomBytes(32), stored, 'tenant a')).toThrow(
      expect.objectContaining({
        name: 'SecretDecryptionError',
        message: expect.stringMatching(
          /written with secret key \w+, but the configured key is \w+: set SECRETS_KEY/,
        ) as string,
      }),
    );
  });

  it('detects a value moved to another record or altered', () => {
    const stored = encryptSecret(key, 'hunter2', 'tenant a');
    expect(() => decryptSecret(key, stored, 'tenant b')).toThrow(SecretDecryptionError);
    const parts = stored.split(':');
    const ciphertext = Buffer.from(parts[4]!, 'base64url');
    ciphertext[0]! ^= 1;
    parts[4] = ciphertext.toString('base64url');
    expect(() => decryptSecret(key, parts.join(':'), 'tenant a')).toThrow(/failed its integrity check/);
    expect(() => decryptSecret(key, 'plain text', 'tenant a')).toThrow(
      /not in a format this release can read/,
    );
  });

  it('accepts only base64 of exactly 32 bytes as a key', () => {
    const encoded = key.toString('base64');
    expect(parseSecretKey(` ${encoded}\n`).equals(key)).toBe(true);
    expect(() => parseSecretKey(randomBytes(16).toString('base64'))).toThrow(SecretKeyError);
    expect(() => parseSecretKey('not base64 at all!')).toThrow(/exactly 32 bytes.*openssl rand -base64 32/);
  });
});
