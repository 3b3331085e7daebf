/**
 * The app's one window: hardened web preferences (CHECKLIST E1/E2), the app:// entry page, window
 * geometry remembered across launches, and brought to the front when a sign-in ends — the user
 * was in the browser and should land back in the app.
 *
 * @see https://www.electronjs.org/docs/latest/tutorial/security
 */
import { BrowserWindow, type BrowserWindowConstructorOptions } from 'electron';
import type { SessionService, SessionState } from '../auth/snapshot';
import type { Settings } from '../platform/ports';
import { APP_ENTRY_URL } from './app-files';

/** Window geometry as settings keep it. */
export type WindowBounds = NonNullable<Settings['windowBounds']>;

const DEFAULT_BOUNDS = { width: 560, height: 720 };

/**
 * The window's options. Every security-relevant web preference is spelled out, even where it is
 * Electron's default, so a future default change or a copied template cannot weaken it silently.
 */
export function mainWindowOptions(preloadPath: string, bounds: WindowBounds | null, devTools = false): BrowserWindowConstructorOptions {
  return {
    ...(bounds ?? DEFAULT_BOUNDS),
    minWidth: 400,
    minHeight: 520,
    show: false,
    title: 'OAuth Desktop',
    backgroundColor: '#f5f6f8',
    autoHideMenuBar: true,
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      spellcheck: false,
      devTools,
    },
  };
}

export interface MainWindowOptions {
  preloadPath: string;
  bounds: WindowBounds | null;
  /** Called with the final geometry when the window closes. */
  saveBounds: (bounds: WindowBounds) => void;
  devTools?: boolean;
}

/** Creates the window and loads app://app/index.html; shown once the page is ready to paint. */
export function createMainWindow(options: MainWindowOptions): BrowserWindow {
  const win = new BrowserWindow(mainWindowOptions(options.preloadPath, options.bounds, options.devTools));
  win.once('ready-to-show', () => win.show());
  win.on('close', () => {
    if (!win.isMinimized() && !win.isMaximized()) options.saveBounds(win.getBounds());
  });
  void win.loadURL(APP_ENTRY_URL);
  return win;
}

/** Restores, shows and focuses a window (second launch, end of a sign-in). */
export function bringToFront(win: BrowserWindow | null, app?: { focus(options?: { steal: boolean }): void }): void {
  if (win === null || win.isDestroyed()) return;
  if (win.isMinimized()) win.restore();
  win.show();
  win.focus();
  // macOS does not activate an app whose window is focused programmatically.
  if (process.platform === 'darwin') app?.focus({ steal: true });
}

/** True when a snapshot change ends a sign-in (success or failure). */
export function signInEnded(previous: SessionState, next: SessionState): boolean {
  return previous === 'signing-in' && next !== 'signing-in';
}

/** Calls `focus` whenever a sign-in ends. Returns the unsubscribe function. */
export function focusWhenSignInEnds(session: Pick<SessionService, 'snapshot' | 'onChange'>, focus: () => void): () => void {
  let previous = session.snapshot().state;
  return session.onChange((snapshot) => {
    if (signInEnded(previous, snapshot.state)) focus();
    previous = snapshot.state;
  });
}
