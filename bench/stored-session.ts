/**
 * The product's keychain entry as the benchmark prepares it between samples: read it, mark its
 * access token expired (so a launch must renew), and make sure a session with a refresh token
 * exists at all (signing in through the product when it does not). Bench-side keytar calls, never
 * timed.
 */
import type { SessionService } from '../main/auth/snapshot';
import type { BenchEnv } from './env';
import { announced } from './wait';

/** The stored record's fields the benchmark touches (short on-disk names, main/auth/tokens.ts). */
export interface StoredRecord {
  at: string | null;
  rt: string | null;
  exp: number | null;
  rcv: number;
  acct: { sub: string };
  [field: string]: unknown;
}

/** The product's one keychain entry, or null. */
export async function readStoredEntry(env: BenchEnv): Promise<{ account: string; record: StoredRecord } | null> {
  const entries = await env.keytar.findCredentials(env.keychainService);
  if (entries.length === 0) return null;
  if (entries.length > 1) throw new Error(`bench: expected one keychain entry, found ${entries.length}`);
  const [entry] = entries;
  return { account: entry!.account, record: JSON.parse(entry!.password) as StoredRecord };
}

/** Rewrites the entry so its access token expired an hour ago (the refresh token is untouched). */
export async function expireStoredAccessToken(env: BenchEnv): Promise<void> {
  const entry = await readStoredEntry(env);
  if (!entry) throw new Error('bench: no stored session to expire');
  const hourAgo = Date.now() - 3_600_000;
  entry.record.exp = hourAgo;
  entry.record.rcv = hourAgo - 60_000;
  await env.keytar.setPassword(env.keychainService, entry.account, JSON.stringify(entry.record));
}

/**
 * One product sign-in through chromium (untimed): the session service opens "the browser", and
 * chromium plays the user (single sign-on after the first time).
 */
export async function signInWithProduct(env: BenchEnv): Promise<void> {
  const session = env.buildServices();
  try {
    const signedIn = session.signIn();
    const [snapshot] = await Promise.all([
      signedIn,
      env.nextAuthorizationUrl().then((url) => env.browser.signIn(url, { keepSession: true })),
    ]);
    if (snapshot.state !== 'signed-in') throw new Error(`bench: product sign-in ended in state ${snapshot.state}`);
  } finally {
    session.dispose();
  }
}

/**
 * Makes sure the keychain holds a product session with a refresh token. The product asks for
 * `prompt=consent` only while offline access is not remembered, and oidc-provider drops
 * offline_access without it (OIDC Core §11), so a second sign-in may be needed.
 */
export async function ensureStoredSession(env: BenchEnv): Promise<StoredRecord> {
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const entry = await readStoredEntry(env);
    if (entry?.record.rt) return entry.record;
    await signInWithProduct(env);
  }
  throw new Error('bench: the product did not obtain a refresh token in three sign-ins');
}

/**
 * A launched, signed-in session with a usable access token (renewed first if the stored one is due),
 * and that token as stored — the one the session attaches to calls.
 */
export async function launchSignedIn(
  env: BenchEnv,
  options: Parameters<BenchEnv['buildServices']>[0] = {},
): Promise<{ session: SessionService; accessToken: string }> {
  await ensureStoredSession(env);
  const session = env.buildServices(options);
  const signedIn = announced(session, 'signed-in');
  const first = await session.restore();
  if (first.state === 'signed-in') signedIn.cancel();
  else await signedIn;
  const entry = await readStoredEntry(env);
  if (!entry?.record.at) throw new Error('bench: no access token stored after launch');
  return { session, accessToken: entry.record.at };
}
