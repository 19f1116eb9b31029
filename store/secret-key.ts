import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseSecretKey } from './secret-crypto.ts';

export const secretKeyFileName = 'secrets.key';

/**
 * The key that encrypts tenant secrets: `SECRETS_KEY` when set; otherwise the one kept in
 * `<dataDir>/secrets.key`, generated (mode 0600) on first use so the embedded default needs no setup.
 */
export async function loadOrCreateSecretKey(dataDir: string, envValue?: string): Promise<Buffer> {
  if (envValue !== undefined && envValue.trim() !== '') return parseSecretKey(envValue);

  const file = path.join(dataDir, secretKeyFileName);
  try {
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
  return parseSecretKey(await readFile(file, 'utf8'), file);
}
