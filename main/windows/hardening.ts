/**
 * Locks down every web contents and the session it runs in (CHECKLIST E6–E8).
 *
 * The renderer is our own page on app://app and has no reason to go anywhere else: navigation away
 * from that origin, new windows, `<webview>` tags and every permission request are refused. Links
 * to the provider open in the system browser through the vetted launcher, never in an app window
 * (N1). Applied to every web contents the app ever creates (`web-contents-created`), not only the
 * main window, so nothing created later escapes it.
 *
 * @see https://www.electronjs.org/docs/latest/tutorial/security#13-disable-or-limit-navigation
 * @see https://www.electronjs.org/docs/latest/tutorial/security#14-disable-or-limit-creation-of-new-windows
 * @see https://www.electronjs.org/docs/latest/tutorial/security#5-handle-session-permission-requests-from-remote-content
 */
import type { App, Session, WebContents } from 'electron';
import { schemeAndHost } from '../ipc/sender';
import { APP_ORIGIN } from './app-files';

/** What was refused, for the log (URLs are reduced to their origin: they may carry `state`). */
export type BlockedAction = { kind: 'navigation' | 'new-window' | 'webview' | 'permission'; detail: string };

export interface HardeningOptions {
  /** Our renderer's origin. Default `app://app`. */
  appOrigin?: string;
  onBlocked?: (action: BlockedAction) => void;
}

/** True when `url` is on our own app origin (same-document and in-app navigations). */
export function isAppUrl(url: string, appOrigin: string = APP_ORIGIN): boolean {
  return schemeAndHost(url) === schemeAndHost(appOrigin);
}

/** Refuses navigation off our origin, new windows and webviews for one web contents. */
export function hardenWebContents(contents: WebContents, options: HardeningOptions = {}): void {
  const appOrigin = options.appOrigin ?? APP_ORIGIN;
  const report = options.onBlocked ?? (() => {});
  const guardNavigation = (event: { preventDefault(): void; url: string }) => {
    if (isAppUrl(event.url, appOrigin)) return;
    event.preventDefault();
    report({ kind: 'navigation', detail: schemeAndHost(event.url) ?? 'invalid URL' });
  };
  contents.on('will-navigate', guardNavigation);
  // Subframes and server redirects are navigations too.
  contents.on('will-frame-navigate', guardNavigation);
  contents.on('will-redirect', guardNavigation);
  contents.setWindowOpenHandler(({ url }) => {
    report({ kind: 'new-window', detail: schemeAndHost(url) ?? 'invalid URL' });
    return { action: 'deny' };
  });
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
    report({ kind: 'webview', detail: 'webview' });
  });
}

/** Denies every permission request and check in a session (camera, notifications, USB, …). */
export function hardenSession(session: Session, options: HardeningOptions = {}): void {
  const report = options.onBlocked ?? (() => {});
  session.setPermissionRequestHandler((_contents, permission, callback) => {
    report({ kind: 'permission', detail: permission });
    callback(false);
  });
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
  session.setDisplayMediaRequestHandler((_request, callback) => callback(null));
}

/**
 * Hardens every web contents the app creates, from now on, and its session.
 * Call before the first window is created.
 */
export function hardenApp(app: Pick<App, 'on'>, options: HardeningOptions = {}): void {
  const hardenedSessions = new WeakSet<Session>();
  app.on('web-contents-created', (_event, contents) => {
    hardenWebContents(contents, options);
    if (!hardenedSessions.has(contents.session)) {
      hardenedSessions.add(contents.session);
      hardenSession(contents.session, options);
    }
  });
}
