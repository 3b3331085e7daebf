/**
 * The IPC contract between the renderer and the main process: every channel, with what goes in and
 * what comes out. One file names them all (as electron/fiddle does), so a channel cannot exist in
 * the preload without a handler, or the other way round.
 *
 * What crosses IPC is display data only. No request or reply type here can carry an access token,
 * refresh token, ID token, authorization code, PKCE verifier, `state` or `nonce` (CHECKLIST E12,
 * T4): the main process attaches tokens itself (`auth:call-api`) and copies the pending
 * authorization URL to the clipboard itself (`auth:copy-sign-in-link`), because that URL carries
 * `state`. A device sign-in's user code and verification URI are display data (RFC 8628 §3.3); its
 * `device_code` never leaves the main process.
 *
 * This file has no imports: it is type-checked twice, with Node types (main, preload) and with DOM
 * types only (renderer), and the renderer may import nothing else from outside its folder.
 *
 * @see https://www.electronjs.org/docs/latest/tutorial/security#17-validate-the-sender-of-all-ipc-messages
 */

/** Request/response channels (`ipcRenderer.invoke` ↔ `ipcMain.handle`). */
export const INVOKE_CHANNELS = {
  getSession: 'auth:get-session',
  signIn: 'auth:sign-in',
  cancelSignIn: 'auth:cancel-sign-in',
  reopenBrowser: 'auth:reopen-browser',
  copySignInLink: 'auth:copy-sign-in-link',
  signOut: 'auth:sign-out',
  callApi: 'auth:call-api',
  retry: 'auth:retry',
  signInWithDevice: 'auth:sign-in-with-device',
  copyDeviceCode: 'auth:copy-device-code',
  openDevicePage: 'auth:open-device-page',
} as const;

/** Events pushed by the main process to our window only (`webContents.send` ↔ `ipcRenderer.on`). */
export const EVENT_CHANNELS = {
  sessionChanged: 'auth:session-changed',
} as const;

export type InvokeChannel = (typeof INVOKE_CHANNELS)[keyof typeof INVOKE_CHANNELS];
export type EventChannel = (typeof EVENT_CHANNELS)[keyof typeof EVENT_CHANNELS];

/** A failure as data: IPC drops an Error's fields, and the UI branches on `code`, never on text. */
export interface IpcError {
  /** A stable `AuthErrorCode` (main/auth/errors.ts), e.g. `network`, `ipc_invalid`, `ipc_forbidden`. */
  code: string;
  /** Plain language for the person reading it; never contains a secret. */
  message: string;
}

/** Every reply. Errors are values so they survive the IPC boundary intact. */
export type IpcResult<T> = { ok: true; value: T } | { ok: false; error: IpcError };

export type SessionStateName =
  | 'signed-out'
  | 'signing-in'
  | 'signed-in'
  | 'refreshing'
  | 'offline'
  | 'storage-unavailable';

/** Who is signed in, for display. */
export interface AccountView {
  sub: string;
  name: string | null;
  email: string | null;
}

/**
 * A pending sign-in. The authorization URL is deliberately absent (it carries `state`). A device
 * sign-in (RFC 8628) shows its `user_code` and verification URI: they are meant to be read by the
 * person; the `device_code` (the grant's bearer secret) never leaves the main process.
 */
export type PendingSignInView =
  | { kind: 'browser'; browserOpened: boolean; startedAt: number; expiresAt: number }
  | {
      kind: 'device';
      userCode: string;
      verificationUri: string;
      verificationUriComplete: string | null;
      expiresAt: number;
    };

/** The session as the renderer sees it: a projection of the core's token-free snapshot. */
export interface SessionView {
  state: SessionStateName;
  account: AccountView | null;
  issuer: string;
  /** Epoch ms the access token expires. */
  accessTokenExpiresAt: number | null;
  /** Epoch ms of the next planned refresh or retry. */
  nextRefreshAt: number | null;
  scopes: string[];
  lastError: IpcError | null;
  clockSkew: { seconds: number; message: string } | null;
  storage: { backend: string; available: boolean; detail: string | null };
  memoryOnly: boolean;
  /**
   * The pending sign-in. Null when none is pending — and, while `state` is `signing-in`, while a
   * device sign-in is still asking the provider for its code.
   */
  signIn: PendingSignInView | null;
  /**
   * True when sign-in with a code on another device (RFC 8628) is switched on (OAUTH_DEVICE_FLOW):
   * the UI offers it only then, because it is opt-in against device-code phishing (§5.4).
   */
  deviceFlowEnabled: boolean;
  /** Origins the main process will call with the access token (configuration, OAUTH_API_ORIGINS). */
  apiOrigins: string[];
  /** The address "Call API" starts with (OAUTH_API_URL), or null for the first origin's root. */
  apiUrl: string | null;
}

/** Methods the renderer may ask the main process to use for an API call. */
export const API_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export type ApiMethod = (typeof API_METHODS)[number];

/**
 * A call to the protected API. The main process checks the origin against the configured API
 * origins and attaches the access token; the renderer never sees or sends one, so an
 * `Authorization` header here is refused.
 */
export interface CallApiRequest {
  url: string;
  method?: ApiMethod;
  headers?: Record<string, string>;
  body?: string;
}

export interface CallApiResponse {
  status: number;
  /** Response headers, minus cookies and authentication headers. */
  headers: Record<string, string>;
  body: string;
}

/** What sign-out did (CHECKLIST R1–R4), for an honest "signed out" message. */
export interface SignOutView {
  revocation: 'revoked' | 'not-supported' | 'failed' | 'skipped';
  revocationError: IpcError | null;
  localTokensDeleted: boolean;
  browserLogout: 'opened' | 'not-configured' | 'not-supported' | 'failed';
}

/** Request and reply type of every invoke channel. `undefined` = no payload. */
export interface InvokeContract {
  'auth:get-session': { request: undefined; response: SessionView };
  /** Resolves when the sign-in finished (or failed); progress arrives as session-changed events. */
  'auth:sign-in': { request: undefined; response: SessionView };
  'auth:cancel-sign-in': { request: undefined; response: null };
  'auth:reopen-browser': { request: undefined; response: null };
  /** `copied: false` when no sign-in is pending. */
  'auth:copy-sign-in-link': { request: undefined; response: { copied: boolean } };
  'auth:sign-out': { request: undefined; response: SignOutView };
  'auth:call-api': { request: CallApiRequest; response: CallApiResponse };
  'auth:retry': { request: undefined; response: SessionView };
  /**
   * Device sign-in (RFC 8628), refused with `config_invalid` unless enabled. Resolves when it
   * ends; the user code arrives in `SessionView.signIn` through session-changed events.
   */
  'auth:sign-in-with-device': { request: undefined; response: SessionView };
  /** Main copies the pending user code (nothing else) to the clipboard; `copied: false` when none. */
  'auth:copy-device-code': { request: undefined; response: { copied: boolean } };
  /**
   * Opens the pending device sign-in's verification page in the system browser — the URL main
   * holds, vetted to the provider's origin; the page names no URL.
   */
  'auth:open-device-page': { request: undefined; response: null };
}

/** Payload of every event channel. */
export interface EventContract {
  'auth:session-changed': SessionView;
}

/** `window.auth`: exactly one function per channel (CHECKLIST E11). */
export interface AuthApi {
  getSession(): Promise<IpcResult<SessionView>>;
  signIn(): Promise<IpcResult<SessionView>>;
  cancelSignIn(): Promise<IpcResult<null>>;
  reopenBrowser(): Promise<IpcResult<null>>;
  copySignInLink(): Promise<IpcResult<{ copied: boolean }>>;
  signOut(): Promise<IpcResult<SignOutView>>;
  callApi(request: CallApiRequest): Promise<IpcResult<CallApiResponse>>;
  retry(): Promise<IpcResult<SessionView>>;
  signInWithDevice(): Promise<IpcResult<SessionView>>;
  copyDeviceCode(): Promise<IpcResult<{ copied: boolean }>>;
  openDevicePage(): Promise<IpcResult<null>>;
  /** Returns an unsubscribe function. The listener receives the payload only, never an event object. */
  onSessionChanged(listener: (session: SessionView) => void): () => void;
}

/** Which `window.auth` function belongs to which channel: the preload and its test read this table. */
export const AUTH_API_CHANNELS = {
  getSession: INVOKE_CHANNELS.getSession,
  signIn: INVOKE_CHANNELS.signIn,
  cancelSignIn: INVOKE_CHANNELS.cancelSignIn,
  reopenBrowser: INVOKE_CHANNELS.reopenBrowser,
  copySignInLink: INVOKE_CHANNELS.copySignInLink,
  signOut: INVOKE_CHANNELS.signOut,
  callApi: INVOKE_CHANNELS.callApi,
  retry: INVOKE_CHANNELS.retry,
  signInWithDevice: INVOKE_CHANNELS.signInWithDevice,
  copyDeviceCode: INVOKE_CHANNELS.copyDeviceCode,
  openDevicePage: INVOKE_CHANNELS.openDevicePage,
  onSessionChanged: EVENT_CHANNELS.sessionChanged,
} as const satisfies Record<keyof AuthApi, InvokeChannel | EventChannel>;
