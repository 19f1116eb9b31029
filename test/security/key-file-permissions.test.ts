// Issue 10, gap 8: an existing secrets.key was not checked for permissions. Now, as ssh does with a private
// key, the service refuses to start when the key file is readable by group or others, saying how to fix it.
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeStartupFailure } from '../../startup/startup-error.ts';
import { openStoreFromEnv } from '../../store/open-store.ts';
import { loadOrCreateSecretKey } from '../../store/secret-key.ts';

let dataDir: string;
let keyFile: string;
beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'key-file-'));
  keyFile = path.join(dataDir, 'secrets.key');
  await writeFile(keyFile, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
});
afterEach(() => rm(dataDir, { recursive: true, force: true }));

describe('secrets.key', () => {
  it.each([0o644, 0o640, 0o604, 0o660, 0o666])(
    'is refused with mode %o, with the command that fixes it',
    async (mode) => {
      await chmod(keyFile, mode);
      const refusal = await loadOrCreateSecretKey(dataDir).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(refusal).toBeInstanceOf(Error);
      const message = describeStartupFailure(refusal);
      expect(message).toContain(`Permissions 0${mode.toString(8)} for ${keyFile} are too open`);
      expect(message).toContain(`chmod 600 ${keyFile}`);
      // Printed as the whole answer at start-up, without a stack trace.
      expect(message).not.toMatch(/^\s+at /m);
    },
  );

  it('stops the store from opening, as every entry point opens it', async () => {
    await chmod(keyFile, 0o644);
    await expect(
      openStoreFromEnv({ DATA_DIR: dataDir, DATABASE_URL: undefined, SECRETS_KEY: undefined }),
    ).rejects.toThrow(/too open/);
  });

  it('is used when only its owner can read it', async () => {
    await chmod(keyFile, 0o400);
    await expect(loadOrCreateSecretKey(dataDir)).resolves.toHaveLength(32);
  });
});
