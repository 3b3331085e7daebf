/**
 * How the CLI shows a session: the `status --json` document (every key documented in README.md,
 * "## CLI"), the human-readable lines, and small waits on the session's change events. Built from
 * the token-free {@link SessionSnapshot} only, so nothing here can print a token (CHECKLIST T4).
 */
import type { AppConfig } from '../auth/config';
import type { SessionService, SessionSnapshot } from '../auth/snapshot';

/** The `status --json` document. */
export interface StatusJson {
  state: SessionSnapshot['state'];
  account: { sub: string; name: string | null; email: string | null } | null;
  issuer: string;
  clientId: string;
  accessTokenExpiresAt: string | null;
  accessTokenExpired: boolean | null;
  nextRefreshAt: string | null;
  scopes: string[];
  storage: { backend: string; available: boolean; detail: string | null };
  memoryOnly: boolean;
  lastError: { code: string; message: string } | null;
  clockSkew: { seconds: number; message: string } | null;
}

/** Builds the `status --json` document from a snapshot. */
export function statusJson(snapshot: SessionSnapshot, config: Pick<AppConfig, 'clientId'>, now: number): StatusJson {
  const expires = snapshot.accessTokenExpiresAt;
  return {
    state: snapshot.state,
    account: snapshot.account
      ? { sub: snapshot.account.sub, name: snapshot.account.name ?? null, email: snapshot.account.email ?? null }
      : null,
    issuer: snapshot.issuer,
    clientId: config.clientId,
    accessTokenExpiresAt: expires === null ? null : new Date(expires).toISOString(),
    accessTokenExpired: snapshot.account === null || expires === null ? null : expires <= now,
    nextRefreshAt: snapshot.nextRefreshAt === null ? null : new Date(snapshot.nextRefreshAt).toISOString(),
    scopes: snapshot.scopes,
    storage: snapshot.storage,
    memoryOnly: snapshot.memoryOnly,
    lastError: snapshot.lastError,
    clockSkew: snapshot.clockSkew,
  };
}

const STATE_WORDS: Record<SessionSnapshot['state'], string> = {
  'signed-out': 'signed out',
  'signing-in': 'signing in',
  'signed-in': 'signed in',
  refreshing: 'signed in, renewing the session',
  offline: 'signed in, offline (the provider cannot be reached; the session is kept and will renew when it can)',
  'storage-unavailable': 'keychain unavailable',
};

/** `Alice Liddell <alice@example.test> (sub alice)`. */
export function describeAccount(account: NonNullable<SessionSnapshot['account']>): string {
  const who = [account.name, account.email ? `<${account.email}>` : undefined].filter(Boolean).join(' ');
  return who ? `${who} (sub ${account.sub})` : account.sub;
}

/** The human-readable `status`. */
export function statusText(snapshot: SessionSnapshot, config: Pick<AppConfig, 'clientId'>, now: number): string {
  const lines: Array<[string, string]> = [['State', STATE_WORDS[snapshot.state]]];
  if (snapshot.account) lines.push(['Account', describeAccount(snapshot.account)]);
  lines.push(['Issuer', snapshot.issuer], ['Client', config.clientId]);
  if (snapshot.account) {
    const expires = snapshot.accessTokenExpiresAt;
    lines.push(['Access token', expires === null ? 'no expiry given' : `${expires <= now ? 'expired' : 'expires'} ${new Date(expires).toISOString()}`]);
    lines.push(['Scopes', snapshot.scopes.join(' ') || '(none listed)']);
  }
  const storage = snapshot.storage.available
    ? `${snapshot.storage.backend}${snapshot.memoryOnly ? ' (this session is NOT saved: memory only)' : ''}`
    : `${snapshot.storage.backend}: unavailable — ${snapshot.storage.detail ?? 'unknown reason'}`;
  lines.push(['Storage', storage]);
  if (snapshot.lastError) lines.push(['Last error', `${snapshot.lastError.message} (${snapshot.lastError.code})`]);
  if (snapshot.clockSkew) lines.push(['Clock', snapshot.clockSkew.message]);
  const width = Math.max(...lines.map(([k]) => k.length)) + 2;
  return `${lines.map(([k, v]) => `${`${k}:`.padEnd(width)}${v}`).join('\n')}\n`;
}

/** Resolves once the session is not renewing (the renewal itself is bounded by request timeouts). */
export function settled(session: SessionService): Promise<SessionSnapshot> {
  const now = session.snapshot();
  if (now.state !== 'refreshing') return Promise.resolve(now);
  return new Promise((resolve) => {
    const off = session.onChange((s) => {
      if (s.state === 'refreshing') return;
      off();
      resolve(s);
    });
  });
}
