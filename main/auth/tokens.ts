/**
 * The session record kept in the keychain, and its compact, versioned encoding.
 *
 * One keychain entry per provider registration (issuer, client), holding the signed-in account. It holds what a launch needs without network
 * (RFC 8252 §8.6 says native apps may keep refresh tokens; the OS keychain is the place): the refresh
 * token, the access token with its expiry, the ID-token claims needed for display and for the
 * "same user after refresh" check (OIDC Core §12.2), and the granted scopes.
 *
 * Windows' Credential Manager caps a secret at 2,560 bytes (CRED_MAX_CREDENTIAL_BLOB_SIZE), so the
 * encoding is terse and {@link encodeStoredSession} refuses anything larger (CHECKLIST K4).
 */
import { AuthError } from './errors';

/** The keychain cap we honour on every OS, so a session that works on Linux also works on Windows. */
export const MAX_ENTRY_BYTES = 2560;

/** Current record version. A record with another version is treated as corrupt (CHECKLIST K5). */
export const RECORD_VERSION = 1;

/** Who is signed in: display data only, from the validated ID token (and UserInfo when its sub matches). */
export interface Account {
  sub: string;
  name?: string;
  email?: string;
  picture?: string;
}

/** ID-token claims that must stay the same across refreshes (OIDC Core §12.2, CHECKLIST C5). */
export interface IdentityAnchor {
  iss: string;
  sub: string;
  aud: string;
}

/** A session as stored (and as held in memory while running). Contains secrets: never log it. */
export interface StoredSession {
  issuer: string;
  clientId: string;
  account: Account;
  identity: IdentityAnchor | null;
  refreshToken: string | null;
  accessToken: string | null;
  /** Epoch ms: receipt time + expires_in (wall clock, because it must survive a restart). */
  accessTokenExpiresAt: number | null;
  /** Granted scopes (from the token response, or the requested ones when it omits `scope`). */
  scopes: string[];
  /** Epoch ms when the tokens were received. */
  receivedAt: number;
}

const REDACTED = '[redacted]';

/**
 * Makes a session print without its tokens (T4, redaction by construction): `JSON.stringify` and
 * `util.inspect` (`console.log`, test-runner diffs) show `[redacted]` for the refresh and access
 * token. The hooks are non-enumerable, so the object still compares, spreads and clones as plain
 * data — and a spread copy loses them, so copies made outside this module are plain again.
 * Every session the product builds goes through here (decode below, exchange.ts for token responses).
 */
export function redactedSession<T extends StoredSession>(session: T): T {
  const view = (): Omit<StoredSession, 'refreshToken' | 'accessToken'> & { refreshToken: string | null; accessToken: string | null } => ({
    ...session,
    refreshToken: session.refreshToken === null ? null : REDACTED,
    accessToken: session.accessToken === null ? null : REDACTED,
  });
  Object.defineProperties(session, {
    toJSON: { value: view, enumerable: false, configurable: true, writable: true },
    [Symbol.for('nodejs.util.inspect.custom')]: {
      value: () => `StoredSession ${JSON.stringify(view())}`,
      enumerable: false,
      configurable: true,
      writable: true,
    },
  });
  return session;
}

/** Short keys on disk; mapped to {@link StoredSession}'s readable names in code. */
interface RecordV1 {
  v: 1;
  iss: string;
  cid: string;
  acct: { sub: string; n?: string; e?: string; p?: string };
  idt: [iss: string, sub: string, aud: string] | null;
  rt: string | null;
  at: string | null;
  exp: number | null;
  scp: string;
  rcv: number;
}

/** Serialises a session for the keychain. Throws `storage_too_large` above {@link MAX_ENTRY_BYTES}. */
export function encodeStoredSession(session: StoredSession): string {
  const record: RecordV1 = {
    v: 1,
    iss: session.issuer,
    cid: session.clientId,
    acct: compact({
      sub: session.account.sub,
      n: session.account.name,
      e: session.account.email,
      p: session.account.picture,
    }),
    idt: session.identity ? [session.identity.iss, session.identity.sub, session.identity.aud] : null,
    rt: session.refreshToken,
    at: session.accessToken,
    exp: session.accessTokenExpiresAt,
    scp: session.scopes.join(' '),
    rcv: session.receivedAt,
  };
  let encoded = JSON.stringify(record);
  if (byteLength(encoded) > MAX_ENTRY_BYTES && record.acct.p) {
    // The avatar URL is the one optional field that can be long; drop it before giving up.
    delete record.acct.p;
    encoded = JSON.stringify(record);
  }
  const size = byteLength(encoded);
  if (size > MAX_ENTRY_BYTES) {
    throw new AuthError(
      'storage_too_large',
      `The session is ${size} bytes, more than the ${MAX_ENTRY_BYTES}-byte keychain limit some systems have. ` +
        'Ask the provider for shorter tokens, or request fewer scopes/resources.',
    );
  }
  return encoded;
}

/**
 * Parses a keychain entry. Throws `storage_corrupt` for anything that is not a well-formed record of
 * the current version — the message never includes the value (CHECKLIST K5).
 */
export function decodeStoredSession(encoded: string): StoredSession {
  let raw: unknown;
  try {
    raw = JSON.parse(encoded);
  } catch (cause) {
    throw new AuthError('storage_corrupt', 'The saved session could not be read (not valid JSON) and was discarded. Sign in again.', { cause: redactCause(cause) });
  }
  if (!isObject(raw)) throw corrupt('not an object');
  if (raw.v !== RECORD_VERSION) throw corrupt(`unknown version ${typeof raw.v === 'number' ? raw.v : typeof raw.v}`);
  const r = raw as Partial<RecordV1>;
  if (typeof r.iss !== 'string' || typeof r.cid !== 'string') throw corrupt('missing issuer or client');
  if (!isObject(r.acct) || typeof r.acct.sub !== 'string' || r.acct.sub === '') throw corrupt('missing account');
  if (!nullableString(r.rt) || !nullableString(r.at)) throw corrupt('bad token fields');
  if (!(r.exp === null || (typeof r.exp === 'number' && Number.isFinite(r.exp)))) throw corrupt('bad expiry');
  if (typeof r.scp !== 'string' || typeof r.rcv !== 'number') throw corrupt('bad scope or receipt time');
  if (r.rt === null && r.at === null) throw corrupt('no tokens');
  let identity: IdentityAnchor | null = null;
  if (r.idt !== null && r.idt !== undefined) {
    if (!Array.isArray(r.idt) || r.idt.length !== 3 || !r.idt.every((x) => typeof x === 'string')) {
      throw corrupt('bad identity');
    }
    identity = { iss: r.idt[0], sub: r.idt[1], aud: r.idt[2] };
  }
  const acct = r.acct as RecordV1['acct'];
  return redactedSession({
    issuer: r.iss,
    clientId: r.cid,
    account: compact({ sub: acct.sub, name: str(acct.n), email: str(acct.e), picture: str(acct.p) }),
    identity,
    refreshToken: r.rt ?? null,
    accessToken: r.at ?? null,
    accessTokenExpiresAt: r.exp ?? null,
    scopes: r.scp.split(' ').filter(Boolean),
    receivedAt: r.rcv,
  });
}

function corrupt(reason: string): AuthError {
  return new AuthError('storage_corrupt', `The saved session is damaged (${reason}) and was discarded. Sign in again.`);
}

/** JSON.parse errors quote the input; keep only the error class so no secret survives in `cause`. */
function redactCause(cause: unknown): Error {
  return new Error(cause instanceof Error ? cause.name : 'parse error');
}

function byteLength(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function nullableString(x: unknown): boolean {
  return x === null || typeof x === 'string';
}

function str(x: unknown): string | undefined {
  return typeof x === 'string' ? x : undefined;
}

function compact<T extends Record<string, unknown>>(o: T): T {
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  return o;
}
