/** The renderer's state: the session as the main process reports it, plus what the UI is doing. */
import type { CallApiResponse, IpcError, SessionView } from '../../preload/contract';

/** Things the user can ask for; each is "pending" while its request is in flight. */
export type Action =
  | 'sign-in'
  | 'device-sign-in'
  | 'cancel'
  | 'reopen'
  | 'copy'
  | 'copy-code'
  | 'open-device-page'
  | 'sign-out'
  | 'call-api'
  | 'retry';

/** Short feedback after an action ("Link copied", "Signed out", an error). */
export interface Notice {
  tone: 'info' | 'success' | 'error';
  title: string;
  detail?: string;
  /** The error code, so the same failure reported by the session is not shown twice. */
  code?: string;
  /** The screen the notice belongs to ("Link copied" means nothing once signed in). */
  screen?: ScreenKey;
  /**
   * The screen the notice was given on, when it is about the screen that comes next ("Sign-in
   * cancelled" answers Cancel before the session reports signed out): it waits there, unseen.
   */
  givenOn?: ScreenKey;
}

/** The last "Call API" outcome. */
export type ApiResult =
  | { kind: 'response'; url: string; response: CallApiResponse }
  | { kind: 'error'; url: string; error: IpcError };

export interface UiModel {
  /** null until the first answer from the main process. */
  session: SessionView | null;
  /** Set when the first `getSession` failed: nothing else can work. */
  fatal: IpcError | null;
  pending: ReadonlySet<Action>;
  notice: Notice | null;
  apiResult: ApiResult | null;
  /** The address typed in the Call API field; null = the default for the configured origin. */
  apiUrl: string | null;
  /** Wall clock for relative times and the device code's countdown, refreshed by a timer. */
  now: number;
  /** The device user code just copied ("Copied" on its button for a moment), or null. */
  copiedCode: string | null;
}

/** What the user can do; the view calls these, the controller implements them. */
export interface UiActions {
  signIn(): void;
  signInWithDevice(): void;
  copyDeviceCode(): void;
  openDevicePage(): void;
  cancelSignIn(): void;
  reopenBrowser(): void;
  copySignInLink(): void;
  signOut(): void;
  callApi(): void;
  retry(): void;
  setApiUrl(value: string): void;
  dismissNotice(): void;
}

/**
 * Which screen the model shows. A change of screen moves focus to its heading and is announced;
 * a re-render of the same screen keeps focus where it was.
 */
export type ScreenKey =
  | 'loading'
  | 'unavailable'
  | 'signed-out'
  | 'signing-in'
  | 'device-code'
  | 'signed-in'
  | 'offline'
  | 'storage-unavailable';

export function screenOf(model: UiModel): ScreenKey {
  if (model.fatal) return 'unavailable';
  const s = model.session;
  if (s === null) return 'loading';
  switch (s.state) {
    case 'signing-in':
      // No pending sign-in yet means a device sign-in still asking for its code (the browser flow
      // always reports one): the same screen as the code itself, so focus moves only once.
      return s.signIn === null || s.signIn.kind === 'device' ? 'device-code' : 'signing-in';
    case 'signed-in':
      return 'signed-in';
    case 'refreshing':
      // Renewing a working session. (A retry while offline is reported as `offline` by the core,
      // so the screen does not flip with every automatic attempt.)
      return 'signed-in';
    case 'offline':
      return s.account ? 'offline' : 'signed-out';
    case 'storage-unavailable':
      // With an account the session works (in memory only): show it, with a warning banner.
      return s.account ? 'signed-in' : 'storage-unavailable';
    default:
      return 'signed-out';
  }
}

/** The default "Call API" address: the configured one, else the first API origin. */
export function defaultApiUrl(session: SessionView | null): string {
  if (session?.apiUrl) return session.apiUrl;
  const origin = session?.apiOrigins[0];
  return origin ? `${origin}/` : '';
}

/** True while the provider is unreachable and the core keeps the session and retries (K9). */
export function isRetryingOffline(session: SessionView): boolean {
  return session.state === 'offline';
}
