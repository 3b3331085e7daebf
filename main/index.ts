/**
 * Composition root of the desktop app: builds the Electron adapters and the session service, wires
 * the IPC handlers to our window, and creates that window. No logic lives here — every decision is
 * in a module with its own tests (main/auth, main/ipc, main/windows, main/platform).
 *
 * Order matters: the app:// scheme and the userData folder must be set before `ready`; the single-
 * instance lock is taken first so a second launch does nothing but focus the first (CHECKLIST E16).
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, type BrowserWindow, clipboard, dialog, ipcMain, protocol } from 'electron';
import { defaultConfigFile, defaultUserDataDir, loadConfig } from './auth/config';
import { isAuthError } from './auth/errors';
import { externalUrlPolicy, vetVerificationUri } from './auth/external-url';
import { createSession } from './auth/session';
import { createIpcHandlers } from './ipc/handlers';
import { publishSessionChanges, registerIpc } from './ipc/register';
import { createSenderCheck } from './ipc/sender';
import { createElectronBrowserLauncher } from './platform/browser-launcher.electron';
import { electronFetch } from './platform/fetch.electron';
import { createAppLogger } from './platform/logger.app';
import { systemClock } from './platform/ports';
import { createFsRefreshLock } from './platform/refresh-lock.fs';
import { createKeytarSecretStore } from './platform/secret-store.keytar';
import { createElectronSettingsStore } from './platform/settings.electron-store';
import { createElectronWakeSignals } from './platform/wake-signals.electron';
import { APP_ORIGIN } from './windows/app-files';
import { registerAppScheme, serveAppProtocol } from './windows/app-protocol';
import { hardenApp } from './windows/hardening';
import { bringToFront, createMainWindow, focusWhenSignInEnds } from './windows/main-window';
import { claimSingleInstance } from './windows/single-instance';

// dist/main/index.js → dist/renderer, dist/preload (see scripts/build.mjs).
const here = dirname(fileURLToPath(import.meta.url));
const RENDERER_ROOT = join(here, '..', 'renderer');
const PRELOAD_PATH = join(here, '..', 'preload', 'index.cjs');

const logger = createAppLogger();
let win: BrowserWindow | null = null;

registerAppScheme(protocol);
// The CLI reads the same folder (config.json, settings.json, locks/).
const userData = defaultUserDataDir();
app.setPath('userData', userData);

if (claimSingleInstance(app, () => bringToFront(win, app))) {
  hardenApp(app, { onBlocked: (blocked) => logger.warn('shell: blocked', blocked) });
  app.on('window-all-closed', () => app.quit());
  app.whenReady().then(start, (error: unknown) => fail(error));
}

function start(): void {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig({ env: process.env, file: defaultConfigFile() });
  } catch (error) {
    fail(error);
    return;
  }
  serveAppProtocol(protocol, RENDERER_ROOT);
  const settings = createElectronSettingsStore({ dir: userData, logger });
  const policy = () => externalUrlPolicy(config, settings);
  const session = createSession({
    config,
    fetch: electronFetch,
    secretStore: createKeytarSecretStore(),
    settings,
    browser: createElectronBrowserLauncher({ policy }),
    clock: systemClock,
    wakeSignals: createElectronWakeSignals(),
    refreshLock: createFsRefreshLock({ dir: join(userData, 'locks') }),
    logger,
  });

  // IPC first: the page may call as soon as it loads.
  const view = { apiOrigins: config.apiOrigins, apiUrl: process.env.OAUTH_API_URL ?? null, deviceFlow: config.deviceFlow };
  // The device flow's verification page: vetted to the provider's own origin (E9, RFC 8628 §5.4).
  const devicePage = createElectronBrowserLauncher({ policy, vet: vetVerificationUri });
  const isTrustedSender = createSenderCheck({
    appOrigin: APP_ORIGIN,
    windowWebContentsId: () => (win && !win.isDestroyed() ? win.webContents.id : null),
  });
  const unregister = registerIpc(createIpcHandlers({ session, clipboard, isTrustedSender, logger, devicePage, ...view }), ipcMain);
  win = createMainWindow({
    preloadPath: PRELOAD_PATH,
    bounds: settings.get('windowBounds'),
    saveBounds: (bounds) => settings.set('windowBounds', bounds),
    devTools: !app.isPackaged,
  });
  win.on('closed', () => {
    win = null;
  });

  const unpublish = publishSessionChanges(session, () => (win && !win.isDestroyed() ? win.webContents : null), view);
  const unfocus = focusWhenSignInEnds(session, () => bringToFront(win, app));
  app.once('will-quit', () => {
    unfocus();
    unpublish();
    unregister();
    session.dispose();
  });
  void session.restore();
}

/** Startup failed (most often: no provider configured). Say why, in a dialog, and quit. */
function fail(error: unknown): void {
  const message = isAuthError(error) ? error.message : 'The app could not start.';
  logger.error('shell: startup failed', { code: isAuthError(error) ? error.code : 'internal' });
  dialog.showErrorBox('OAuth Desktop cannot start', message);
  app.quit();
}
