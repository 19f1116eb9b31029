import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

const keyBytes = 32;
const ivBytes = 12;
const tagBytes = 16;
const format = 'v1';

export class SecretKeyError extends Error {
  override name = 'SecretKeyError';
}

/** A stored value could not be decrypted: the key differs from the one it was written with, or the value was altered. */
export class SecretDecryptionError extends Error {
  override name = 'SecretDecryptionError';
}

/** Decodes a base64 key, insisting on exactly 32 bytes so a truncated paste cannot silently weaken or break it. */
export function parseSecretKey(base64: string, source = 'SECRETS_KEY'): Buffer {
  const trimmed = base64.trim();
  const key = Buffer.from(trimmed, 'base64');
  if (key.length !== keyBytes || key.toString('base64') !== trimmed) {
    throw new SecretKeyError(
      `${source} must be base64 of exactly ${keyBytes} bytes (generate one with: openssl rand -base64 32)`,
    );
  }
  return key;
}

/**
 * Short, non-reversible fingerprint of a key, stored beside each value so a mismatch can be reported as
 * "wrong key" rather than as corruption, and so a later key rotation can tell old values from new ones.
 */
export function secretKeyId(key: Buffer): string {
  return createHmac('sha256', key).update('loop-finale secret key id').digest('hex').slice(0, 12);
}

/**
 * AES-256-GCM with a fresh 96-bit IV per value. `context` (a stable name of where the value is stored, also
 * used in error messages) is bound as additional authenticated data, so a value copied to another row (another
 * tenant) fails to decrypt instead of leaking across tenants.
 * Result: `v1:<key id>:<iv>:<tag>:<ciphertext>`, the binary parts base64url.
 */
export function encryptSecret(key: Buffer, plaintext: string, context: string): string {
  const iv = randomBytes(ivBytes);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const parts = [iv, cipher.getAuthTag(), ciphertext].map((b) => b.toString('base64url'));
  return [format, secretKeyId(key), ...parts].join(':');
}

export function decryptSecret(key: Buffer, stored: string, context: string): string {
  const [version, keyId, iv, tag, ciphertext, ...rest] = stored.split(':');
  if (version !== format || keyId === undefined || ciphertext === undefined || rest.length > 0) {
    throw new SecretDecryptionError(
      `Encrypted value for ${context} is not in a format this release can read`,
    );
  }
  if (keyId !== secretKeyId(key)) {
    throw new SecretDecryptionError(
      `Encrypted value for ${context} was written with secret key ${keyId}, but the configured key is ` +
        `${secretKeyId(key)}: set SECRETS_KEY (or restore DATA_DIR/secrets.key) to the key the store was created with`,
    );
  }
  const ivBuffer = Buffer.from(iv!, 'base64url');
  const tagBuffer = Buffer.from(tag!, 'base64url');
  if (ivBuffer.length !== ivBytes || tagBuffer.length !== tagBytes) {
    throw new SecretDecryptionError(`Encrypted value for ${context} is damaged`);
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, ivBuffer, { authTagLength: tagBytes });
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(tagBuffer);
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString(
      'utf8',
    );
  } catch (error) {
    throw new SecretDecryptionError(
      `Encrypted value for ${context} failed its integrity check: it was altered or belongs to another record`,
      { cause: error },
    );
  }
}
