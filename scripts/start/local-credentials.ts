// Credentials the embedded default keeps in DATA_DIR (mode 0600, like secrets.key), so a restart reuses
// them: the admin API token the CLI reads, and the last onboarding link printed for a real merchant.
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { InviteStore } from '../../store/invite-store.ts';

export const adminTokenFileName = 'admin-token';
const onboardingLinkFileName = 'onboarding-link.json';

export const adminTokenPath = (dataDir: string) => path.join(dataDir, adminTokenFileName);

async function readPrivate(file: string): Promise<string | undefined> {
  try {
    const text = await readFile(file, 'utf8');
    // Someone may have copied the folder with a looser mode; these files grant admin access.
    await chmod(file, 0o600);
    return text;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

async function writePrivate(file: string, text: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, text, { mode: 0o600 });
  await chmod(file, 0o600);
}

/** ADMIN_TOKEN when set; else the token in `<dataDir>/admin-token`, generated on first start. */
export async function loadOrCreateAdminToken(
  dataDir: string,
  envValue: string | undefined,
): Promise<{ token: string; source: 'env' | 'file'; file: string }> {
  const file = adminTokenPath(dataDir);
  if (envValue !== undefined) return { token: envValue, source: 'env', file };
  const stored = (await readPrivate(file))?.trim();
  if (stored && stored.length >= 24) return { token: stored, source: 'file', file };
  const token = randomBytes(32).toString('base64url');
  await writePrivate(file, `${token}\n`);
  return { token, source: 'file', file };
}

export interface OnboardingLink {
  url: string;
  expiresAt: Date;
  /** False when a link from an earlier start is still valid and unused, and was reused. */
  created: boolean;
}

interface StoredLink {
  token: string;
  expiresAt: string;
}

const LINK_TTL_MS = 7 * 24 * 3_600_000;

/**
 * An onboarding link for a real merchant. Invite tokens are stored only hashed, so the last link's token
 * is kept in `<dataDir>/onboarding-link.json`; it is printed again on restart while it is valid and
 * unused, and replaced by a new invite once it expired or created a tenant.
 */
export async function currentOnboardingLink(
  dataDir: string,
  invites: InviteStore,
  urlFor: (token: string) => string,
): Promise<OnboardingLink> {
  const file = path.join(dataDir, onboardingLinkFileName);
  const text = await readPrivate(file);
  if (text !== undefined) {
    try {
      const stored = JSON.parse(text) as StoredLink;
      const found = await invites.lookup(stored.token);
      if (found.status === 'valid' && found.invite.tenantId === undefined) {
        return { url: urlFor(stored.token), expiresAt: found.invite.expiresAt, created: false };
      }
    } catch {
      // A damaged file is replaced by a fresh link below.
    }
  }
  const { invite, token } = await invites.create({
    ttlMs: LINK_TTL_MS,
    note: 'Printed by npm start for a real merchant',
    createdBy: 'npm start',
  });
  await writePrivate(
    file,
    `${JSON.stringify({ token, expiresAt: invite.expiresAt.toISOString() } satisfies StoredLink)}\n`,
  );
  return { url: urlFor(token), expiresAt: invite.expiresAt, created: true };
}
