/**
 * The provider half of the run-wide leak check (CHECKLIST T4, issue 8 §3): every secret the bench
 * provider issues or receives during a test run is written down, so that `scripts/check-leaks.mjs`
 * can look for each of them in everything the run printed, logged, or sent over IPC.
 *
 * Opt-in: only when `OAUTH_DESKTOP_LEAK_DIR` is set (scripts/test.sh sets it to a private temp
 * folder and deletes it after the check). Then each provider process appends `kind<TAB>value`
 * lines to `$OAUTH_DESKTOP_LEAK_DIR/secrets-<pid>.txt`. Nothing changes in what the provider
 * answers: the middleware only reads the request and the finished response.
 *
 * What is recorded, and where it is seen:
 * - token endpoint responses: `access_token`, `refresh_token`, `id_token` (all grants);
 * - token, revocation and introspection requests: `code`, `code_verifier`, `refresh_token`,
 *   `device_code`, `token`, `client_secret` (form body or HTTP Basic, RFC 6749 §2.3.1);
 * - Bearer tokens presented anywhere (userinfo);
 * - authorization codes in redirects (the `Location` of the authorization endpoint, RFC 6749 §4.1.2);
 * - device codes in device authorization responses (RFC 8628 §3.2). User codes are not secrets:
 *   the app shows them on purpose.
 *
 * Public API: `LEAK_DIR_ENV`, `SecretKind`, `createSecretRecorder(dir?)`, `recordSecretsMiddleware(record)`.
 *
 * @module
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

/** The environment variable that switches recording on (a folder path). */
export const LEAK_DIR_ENV = 'OAUTH_DESKTOP_LEAK_DIR';

/** What kind of secret a recorded value is (the checker reports the kind, never the value). */
export type SecretKind =
  | 'access_token'
  | 'refresh_token'
  | 'id_token'
  | 'authorization_code'
  | 'code_verifier'
  | 'client_secret'
  | 'device_code';

/** Records one secret value. */
export type RecordSecret = (kind: SecretKind, value: unknown) => void;

/**
 * A recorder writing to `dir/secrets-<pid>.txt`, or null when `dir` (default: the
 * `OAUTH_DESKTOP_LEAK_DIR` variable) is unset. Each value is written once per process.
 */
export function createSecretRecorder(dir: string | undefined = process.env[LEAK_DIR_ENV]): RecordSecret | null {
  if (!dir) return null;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, `secrets-${process.pid}.txt`);
  const seen = new Set<string>();
  return (kind, value) => {
    // Tab and newline separate records; no issued secret contains them (base64url, JWT, hex).
    if (typeof value !== 'string' || value === '' || /[\t\r\n]/.test(value) || seen.has(value)) return;
    seen.add(value);
    appendFileSync(file, `${kind}\t${value}\n`, { mode: 0o600 });
  };
}

/** The slice of oidc-provider's koa context the recorder reads. */
interface RecorderContext {
  path: string;
  body: unknown;
  headers: Record<string, string | string[] | undefined>;
  response: { get(field: string): string };
  oidc?: { body?: Record<string, unknown> };
}

const REQUEST_FIELDS: ReadonlyArray<[string, SecretKind]> = [
  ['code', 'authorization_code'],
  ['code_verifier', 'code_verifier'],
  ['refresh_token', 'refresh_token'],
  ['device_code', 'device_code'],
  ['client_secret', 'client_secret'],
];

const RESPONSE_FIELDS: ReadonlyArray<[string, SecretKind]> = [
  ['access_token', 'access_token'],
  ['refresh_token', 'refresh_token'],
  ['id_token', 'id_token'],
  ['device_code', 'device_code'],
];

/**
 * Koa middleware for `provider.use(...)`: records the secrets of each request and its response.
 * Runs after oidc-provider handled the request (the parsed form body is then on `ctx.oidc.body`).
 */
export function recordSecretsMiddleware(record: RecordSecret) {
  return async (ctx: RecorderContext, next: () => Promise<void>): Promise<void> => {
    try {
      await next();
    } finally {
      try {
        recordExchange(ctx, record);
      } catch {
        // Recording must never change what the provider answers.
      }
    }
  };
}

function recordExchange(ctx: RecorderContext, record: RecordSecret): void {
  const form = ctx.oidc?.body;
  if (form && typeof form === 'object') {
    for (const [field, kind] of REQUEST_FIELDS) record(kind, form[field]);
    // Revocation and introspection take any token in `token` (RFC 7009 §2.1, RFC 7662 §2.1).
    if (typeof form.token === 'string') {
      record(form.token_type_hint === 'refresh_token' ? 'refresh_token' : 'access_token', form.token);
    }
  }
  const authorization = ctx.headers.authorization;
  if (typeof authorization === 'string') {
    const [scheme, credentials] = authorization.split(' ', 2);
    if (scheme?.toLowerCase() === 'bearer') record('access_token', credentials);
    if (scheme?.toLowerCase() === 'basic' && credentials) {
      const decoded = Buffer.from(credentials, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon !== -1) record('client_secret', safeDecode(decoded.slice(colon + 1)));
    }
  }
  const body = ctx.body;
  if (body && typeof body === 'object' && !Buffer.isBuffer(body)) {
    const fields = body as Record<string, unknown>;
    for (const [field, kind] of RESPONSE_FIELDS) record(kind, fields[field]);
  }
  const location = ctx.response.get('location');
  if (location && /[?&#]code=/.test(location)) {
    const url = new URL(location, 'http://127.0.0.1');
    record('authorization_code', url.searchParams.get('code'));
    record('authorization_code', new URLSearchParams(url.hash.slice(1)).get('code'));
  }
}

/** Basic credentials are form-encoded before base64 (RFC 6749 §2.3.1). */
function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return value;
  }
}
