/**
 * What the rest of the app may know about the session: a token-free snapshot, and the service
 * interface the IPC handlers, the CLI and the benchmarks drive.
 *
 * Nothing in this file's types can carry a token, code, verifier, state or nonce (CHECKLIST E12, T4):
 * the snapshot is what crosses IPC, goes into `status --json`, and is logged.
 */
import type { AuthErrorCode } from './errors';
import type { Account } from './tokens';

/**
 * - `signed-out`: no session.
 * - `signing-in`: a browser (or device-code) sign-in is pending.
 * - `signed-in`: tokens usable.
 * - `refreshing`: signed in, renewing the access token now.
 * - `offline`: signed in, but the provider is unreachable; tokens kept, retrying (CHECKLIST K9). A
 *   retry attempt keeps this state until it succeeds.
 * - `storage-unavailable`: the keychain cannot be used; a session, if any, lives in memory only (K1–K3).
 */
export type SessionState = 'signed-out' | 'signing-in' | 'signed-in' | 'refreshing' | 'offline' | 'storage-unavailable';

/** A pending sign-in, as the UI may show it. The authorization URL is NOT here (it carries `state`). */
export type PendingSignIn =
  | { kind: 'browser'; browserOpened: boolean; startedAt: number; expiresAt: number }
  | {
      kind: 'device';
      userCode: string;
      verificationUri: string;
      verificationUriComplete: string | null;
      expiresAt: number;
    };

export interface SessionSnapshot {
  state: SessionState;
  account: Account | null;
  issuer: string;
  /** Epoch ms the access token expires (display: "session renews at …"). */
  accessTokenExpiresAt: number | null;
  /** Epoch ms of the next planned refresh or retry, if any. */
  nextRefreshAt: number | null;
  scopes: string[];
  /** The last failure, for the UI to explain; cleared by the next success. */
  lastError: { code: AuthErrorCode; message: string } | null;
  /** Set when the local clock differs from the provider's `Date` header beyond tolerance (CHECKLIST K8). */
  clockSkew: { seconds: number; message: string } | null;
  storage: { backend: string; available: boolean; detail: string | null };
  /** True while the session lives only in memory (keychain unavailable). */
  memoryOnly: boolean;
  /** The pending sign-in; null when none, and while a device sign-in still waits for its code. */
  signIn: PendingSignIn | null;
}

/** A request to a protected resource, made by the main process on behalf of the UI/CLI. */
export interface ApiRequest {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface ApiResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Which sign-out steps happened (CHECKLIST R1–R4). */
export interface SignOutReport {
  /** 'revoked' | 'not-supported' (no revocation_endpoint) | 'failed' (refused/unreachable) | 'skipped' (no token). */
  revocation: 'revoked' | 'not-supported' | 'failed' | 'skipped';
  revocationError: { code: AuthErrorCode; message: string } | null;
  /** The keychain entry was deleted and verified absent. */
  localTokensDeleted: boolean;
  /** The provider's end-session page was opened in the browser. */
  browserLogout: 'opened' | 'not-configured' | 'not-supported' | 'failed';
}

export interface SignInOptions {
  /** Cancel the pending sign-in. */
  signal?: AbortSignal;
  /** Overrides the 5-minute default wait for the browser. */
  timeoutMs?: number;
}

/** The session core, as the front doors (IPC, CLI, benchmarks) use it. */
export interface SessionService {
  snapshot(): SessionSnapshot;
  onChange(listener: (snapshot: SessionSnapshot) => void): () => void;
  /** Launch: read the keychain without network; refresh in the background when due. */
  restore(): Promise<SessionSnapshot>;
  /** Browser sign-in (RFC 8252). A second call cancels the first (CHECKLIST L22). */
  signIn(options?: SignInOptions): Promise<SessionSnapshot>;
  /**
   * Device authorization grant (RFC 8628), only when configured (OAUTH_DEVICE_FLOW): the snapshot's
   * `signIn` shows the user code and where to enter it; resolves when the user has approved.
   */
  signInWithDevice(options?: SignInOptions): Promise<SessionSnapshot>;
  cancelSignIn(): void;
  /** Re-opens the pending authorization URL in the system browser. */
  reopenBrowser(): Promise<void>;
  /** The pending authorization URL, for "copy link" done by the main process (never sent over IPC). */
  pendingAuthorizationUrl(): string | null;
  signOut(): Promise<SignOutReport>;
  /** Calls an allowed API origin with the access token attached (issue 4). */
  callApi(request: ApiRequest): Promise<ApiResponse>;
  /** Try a refresh now (the UI's Retry, and wake signals). */
  retryNow(): Promise<SessionSnapshot>;
  /** Stops timers and listeners. */
  dispose(): void;
}
