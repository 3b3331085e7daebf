/**
 * What leaves the main process: explicit, field-by-field projections of the core's results.
 *
 * The core's types are already token-free (main/auth/snapshot.ts); copying named fields instead of
 * passing objects through means a field added to them later (say, for the CLI) does not reach the
 * renderer by accident (CHECKLIST E12, T4).
 */
import type {
  CallApiResponse,
  IpcError,
  PendingSignInView,
  SessionView,
  SignOutView,
} from '../../preload/contract';
import type { ApiResponse, PendingSignIn, SessionSnapshot, SignOutReport } from '../auth/snapshot';

/** Configuration the renderer may know, added to every session view. */
export interface ViewContext {
  apiOrigins: readonly string[];
  /** Default "Call API" address (OAUTH_API_URL), display only: the session still checks the origin. */
  apiUrl?: string | null;
  /** config.deviceFlow: whether the UI may offer sign-in with a code (RFC 8628 §5.4: opt-in). Default off. */
  deviceFlow?: boolean;
}

/** The renderer's view of a session snapshot. */
export function toSessionView(s: SessionSnapshot, context: ViewContext): SessionView {
  return {
    state: s.state,
    account: s.account ? { sub: s.account.sub, name: s.account.name ?? null, email: s.account.email ?? null } : null,
    issuer: s.issuer,
    accessTokenExpiresAt: s.accessTokenExpiresAt,
    nextRefreshAt: s.nextRefreshAt,
    scopes: [...s.scopes],
    lastError: errorView(s.lastError),
    clockSkew: s.clockSkew ? { seconds: s.clockSkew.seconds, message: s.clockSkew.message } : null,
    storage: { backend: s.storage.backend, available: s.storage.available, detail: s.storage.detail },
    memoryOnly: s.memoryOnly,
    signIn: pendingView(s.signIn),
    deviceFlowEnabled: context.deviceFlow === true,
    apiOrigins: [...context.apiOrigins],
    apiUrl: context.apiUrl ?? null,
  };
}

function pendingView(p: PendingSignIn | null): PendingSignInView | null {
  if (p === null) return null;
  if (p.kind === 'browser') {
    return { kind: 'browser', browserOpened: p.browserOpened, startedAt: p.startedAt, expiresAt: p.expiresAt };
  }
  return {
    kind: 'device',
    userCode: p.userCode,
    verificationUri: p.verificationUri,
    verificationUriComplete: p.verificationUriComplete,
    expiresAt: p.expiresAt,
  };
}

function errorView(e: { code: string; message: string } | null): IpcError | null {
  return e ? { code: e.code, message: e.message } : null;
}

/** The renderer's view of a sign-out report. */
export function toSignOutView(r: SignOutReport): SignOutView {
  return {
    revocation: r.revocation,
    revocationError: errorView(r.revocationError),
    localTokensDeleted: r.localTokensDeleted,
    browserLogout: r.browserLogout,
  };
}

/**
 * Response headers the page may see. An allow-list: `Set-Cookie`, `Authorization`-like echoes and
 * anything exotic stay in the main process.
 */
const VISIBLE_RESPONSE_HEADERS = new Set([
  'cache-control',
  'content-language',
  'content-length',
  'content-type',
  'date',
  'etag',
  'expires',
  'last-modified',
  'retry-after',
  'www-authenticate',
]);

/** The renderer's view of an API response. */
export function toCallApiResponse(r: ApiResponse): CallApiResponse {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(r.headers)) {
    const key = name.toLowerCase();
    if (VISIBLE_RESPONSE_HEADERS.has(key)) headers[key] = value;
  }
  return { status: r.status, headers, body: r.body };
}
