import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseSecretKey, SecretKeyError } from './secret-crypto.ts';

export const secretKeyFileName = 'secrets.key';

/**
 * Like ssh with a private key: a key file others can read has been exposed, so refuse it rather than
 * quietly tightening the mode, and say how to fix it.
 */
async function assertPrivate(file: string): Promise<void> {
  const mode = (await stat(file)).mode & 0o777;
  if ((mode & 0o077) === 0) return;
  throw new SecretKeyError(
    `Permissions ${mode.toString(8).padStart(4, '0')} for ${file} are too open: it holds the key to every ` +
      `tenant's credentials and must be readable by its owner only. Fix it with: chmod 600 ${file} ` +
      '(and, if others may have read it, rotate the tenants’ credentials).',
  );
}

/**
 * The key that encrypts tenant secrets: `SECRETS_KEY` when set; otherwise the one kept in
 * `<dataDir>/secrets.key`, generated (mode 0600) on first use so the embedded default needs no setup. An
 * existing key file readable by group or others is refused.
 */
export async function loadOrCreateSecretKey(dataDir: string, envValue?: string): Promise<Buffer> {
  if (envValue !== undefined && envValue.trim() !== '') return parseSecretKey(envValue);

  const file = path.join(dataDir, secretKeyFileName);
  try {
    await assertPrivate(file);
    return parseSecretKey(await readFile(file, 'utf8'), file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }

  // Written aside, then hard-linked into place: link() is atomic and refuses an existing file, so two
  // processes starting together agree on one key and neither reads a half-written file.
  await mkdir(dataDir, { recursive: true });
  const draft = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(draft, `${randomBytes(32).toString('base64')}\n`, { flag: 'wx', mode: 0o600 });
  try {
    await link(draft, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    await unlink(draft);
  }
  await assertPrivate(file);
  return parseSecretKey(await readFile(file, 'utf8'), file);
}
