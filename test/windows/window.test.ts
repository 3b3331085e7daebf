/**
 * The main window (CHECKLIST E1/E2): hardened web preferences spelled out, the app:// entry page,
 * bounds remembered, and the window brought to the front when a sign-in ends.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', async () => (await import('./fake-electron')).electronModule);

import { bringToFront, createMainWindow, focusWhenSignInEnds, mainWindowOptions, signInEnded } from '../../main/windows/main-window';
import { createFakeSession } from '../ipc/fake-session';
import { app, FakeBrowserWindow, resetFakeElectron } from './fake-electron';

beforeEach(() => resetFakeElectron());

describe('E1/E2: window options', () => {
  it('isolate the context, sandbox explicitly, no Node in the page, web security on', () => {
    const prefs = mainWindowOptions('/app/dist/preload/index.cjs', null).webPreferences!;
    expect(prefs.contextIsolation).toBe(true);
    expect(prefs.sandbox).toBe(true);
    expect(prefs.nodeIntegration).toBe(false);
    expect(prefs.nodeIntegrationInWorker).toBe(false);
    expect(prefs.nodeIntegrationInSubFrames).toBe(false);
    expect(prefs.webSecurity).toBe(true);
    expect(prefs.allowRunningInsecureContent).toBe(false);
    expect(prefs.webviewTag).toBe(false);
    expect(prefs.experimentalFeatures).toBe(false);
    expect(prefs.navigateOnDragDrop).toBe(false);
    expect(prefs.preload).toBe('/app/dist/preload/index.cjs');
    // Every key is explicit: `sandbox` must not rely on Electron's default.
    expect(Object.keys(prefs)).toContain('sandbox');
  });

  it('devtools are off unless asked for (they are on only for unpackaged runs)', () => {
    expect(mainWindowOptions('/p', null).webPreferences!.devTools).toBe(false);
    expect(mainWindowOptions('/p', null, true).webPreferences!.devTools).toBe(true);
  });

  it('restores saved bounds', () => {
    expect(mainWindowOptions('/p', { width: 700, height: 800, x: 5, y: 6 })).toMatchObject({ width: 700, height: 800, x: 5, y: 6 });
  });

  it('createMainWindow builds a BrowserWindow with those options and loads app://app/index.html, not file://', () => {
    const saved: unknown[] = [];
    createMainWindow({ preloadPath: '/p/index.cjs', bounds: null, saveBounds: (b) => saved.push(b) });
    expect(FakeBrowserWindow.instances).toHaveLength(1);
    const win = FakeBrowserWindow.instances[0]!;
    expect(win.options).toMatchObject({
      show: false,
      webPreferences: { contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true },
    });
    expect(win.loadedUrl).toBe('app://app/index.html');
    win.emit('ready-to-show');
    expect(win.calls).toContain('show');
    win.emit('close');
    expect(saved).toEqual([{ x: 10, y: 20, width: 600, height: 700 }]);
  });
});

describe('bring the window to the front after sign-in', () => {
  it('signInEnded is true only when leaving signing-in', () => {
    expect(signInEnded('signing-in', 'signed-in')).toBe(true);
    expect(signInEnded('signing-in', 'signed-out')).toBe(true);
    expect(signInEnded('signing-in', 'signing-in')).toBe(false);
    expect(signInEnded('signed-in', 'refreshing')).toBe(false);
  });

  it('focusWhenSignInEnds focuses once per finished sign-in', () => {
    const session = createFakeSession();
    let focused = 0;
    const stop = focusWhenSignInEnds(session, () => {
      focused += 1;
    });
    session.set({ state: 'signing-in' });
    expect(focused).toBe(0);
    session.set({ state: 'signed-in' });
    expect(focused).toBe(1);
    session.set({ state: 'refreshing' });
    session.set({ state: 'signed-in' });
    expect(focused).toBe(1);
    stop();
    session.set({ state: 'signing-in' });
    session.set({ state: 'signed-in' });
    expect(focused).toBe(1);
  });

  it('bringToFront restores a minimised window, shows and focuses it', () => {
    const win = new FakeBrowserWindow({});
    win.minimized = true;
    bringToFront(win as never, app);
    expect(win.calls).toEqual(['restore', 'show', 'focus']);
  });

  it('bringToFront ignores a destroyed or missing window', () => {
    const win = new FakeBrowserWindow({});
    win.destroyed = true;
    expect(() => bringToFront(win as never, app)).not.toThrow();
    expect(win.calls).toEqual([]);
    expect(() => bringToFront(null, app)).not.toThrow();
  });
});
