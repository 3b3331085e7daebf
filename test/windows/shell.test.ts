/**
 * The composition root (main/index.ts) over a fake `electron` and the real everything else (config
 * loader, session core, keychain, conf-based electron-store, IPC handlers): what the app wires up
 * when it starts, with the sender checks in place (CHECKLIST E1/E2, E4, E6–E8, E10, E16).
 *
 * The provider is a closed loopback port: nothing here needs the network, and a sign-in attempt
 * must come back as an error value, not a crash.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', async () => (await import('./fake-electron')).electronModule);

import { INVOKE_CHANNELS } from '../../preload/contract';
import { clearKeychainService, uniqueKeychainService } from '../support/keyring';
import { app, FakeBrowserWindow, fake, fakeEvent, ipcMain, resetFakeElectron } from './fake-electron';

const savedEnv = { ...process.env };
let configHome: string;
let closedPort: number;
const service = uniqueKeychainService('shell');

/** A port that was free a moment ago: connections to it are refused. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function startShell(): Promise<void> {
  vi.resetModules();
  await import('../../main/index');
  // start() runs after whenReady() resolves.
  for (let i = 0; i < 50 && FakeBrowserWindow.instances.length === 0 && fake.errorBoxes.length === 0 && app.quitCalls === 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const ourEvent = () => {
  const win = FakeBrowserWindow.instances[0]!;
  return { sender: win.webContents, senderFrame: { url: 'app://app/index.html', parent: null } };
};

beforeAll(async () => {
  closedPort = await freePort();
});
afterAll(async () => {
  await clearKeychainService(service).catch(() => 0);
});
beforeEach(() => {
  resetFakeElectron();
  configHome = mkdtempSync(join(tmpdir(), 'shell-config-'));
  process.env.XDG_CONFIG_HOME = configHome;
  process.env.OAUTH_ISSUER = `http://127.0.0.1:${closedPort}`;
  process.env.OAUTH_CLIENT_ID = 'oauth-desktop';
  process.env.OAUTH_KEYCHAIN_SERVICE = service;
  process.env.OAUTH_API_ORIGINS = 'http://127.0.0.1:9';
  delete process.env.OAUTH_API_URL;
});
afterEach(() => {
  app.emit('will-quit', fakeEvent());
  process.env = { ...savedEnv };
  rmSync(configHome, { recursive: true, force: true });
});

describe('main/index.ts', () => {
  it('E16: a second instance quits at once and creates nothing', async () => {
    app.lockAvailable = false;
    await startShell();
    expect(app.quitCalls).toBe(1);
    expect(FakeBrowserWindow.instances).toHaveLength(0);
    expect(ipcMain.handlers.size).toBe(0);
    expect(fake.protocolHandlers.size).toBe(0);
  });

  it('registers the app:// scheme before ready and serves it after', async () => {
    await startShell();
    expect(fake.privilegedSchemes).toEqual([{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
    const handler = fake.protocolHandlers.get('app')!;
    expect((await handler(new Request('app://app/../../etc/passwd'))).status).toBe(404);
  });

  it('E1/E2: creates one hardened window on app://app and sets userData to the shared folder', async () => {
    await startShell();
    expect(FakeBrowserWindow.instances).toHaveLength(1);
    const win = FakeBrowserWindow.instances[0]!;
    expect(win.options.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true });
    expect(String((win.options.webPreferences as { preload: string }).preload)).toMatch(/preload[/\\]index\.cjs$/);
    expect(win.loadedUrl).toBe('app://app/index.html');
    expect(app.paths.get('userData')).toBe(join(configHome, 'oauth-desktop'));
  });

  it('E6–E8: the window is hardened through web-contents-created', async () => {
    await startShell();
    const win = FakeBrowserWindow.instances[0]!;
    const nav = fakeEvent({ url: 'https://evil.example/' });
    win.webContents.emit('will-navigate', nav);
    expect(nav.defaultPrevented).toBe(true);
    expect(win.webContents.windowOpenHandler!({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
    let granted: boolean | undefined;
    win.webContents.session.permissionRequestHandler!(win.webContents, 'media', (g) => {
      granted = g;
    }, {});
    expect(granted).toBe(false);
  });

  it('E10: registers every channel, and the handlers answer our main frame only', async () => {
    await startShell();
    expect([...ipcMain.handlers.keys()].sort()).toEqual(Object.values(INVOKE_CHANNELS).sort());
    const getSession = ipcMain.handlers.get('auth:get-session')!;

    const ours = (await getSession(ourEvent())) as { ok: boolean; value?: { state: string; issuer: string; apiOrigins: string[] } };
    expect(ours.ok).toBe(true);
    expect(ours.value!.issuer).toBe(`http://127.0.0.1:${closedPort}`);
    expect(ours.value!.apiOrigins).toEqual(['http://127.0.0.1:9']);

    const stranger = new FakeBrowserWindow({});
    const fromOtherWindow = { sender: stranger.webContents, senderFrame: { url: 'app://app/index.html', parent: null } };
    const fromSubframe = { ...ourEvent(), senderFrame: { url: 'app://app/index.html', parent: {} } };
    const fromOtherOrigin = { ...ourEvent(), senderFrame: { url: 'https://evil.example/', parent: null } };
    for (const event of [fromOtherWindow, fromSubframe, fromOtherOrigin]) {
      expect(await getSession(event)).toMatchObject({ ok: false, error: { code: 'ipc_forbidden' } });
    }
  });

  it('a sign-in against an unreachable provider is an error value, and session events go to our window', async () => {
    await startShell();
    const win = FakeBrowserWindow.instances[0]!;
    const reply = (await ipcMain.handlers.get('auth:sign-in')!(ourEvent())) as { ok: boolean; error?: { code: string } };
    expect(reply.ok).toBe(false);
    expect(['network', 'discovery_failed', 'timeout']).toContain(reply.error!.code);
    expect(win.webContents.sent.length).toBeGreaterThan(0);
    expect(win.webContents.sent.every(([channel]) => channel === 'auth:session-changed')).toBe(true);
    expect(fake.openedExternally).toEqual([]);
  });

  it('E16: a second launch brings the window to the front', async () => {
    await startShell();
    const win = FakeBrowserWindow.instances[0]!;
    win.minimized = true;
    app.emit('second-instance', fakeEvent(), [], '/');
    expect(win.calls).toEqual(expect.arrayContaining(['restore', 'show', 'focus']));
  });

  it('will-quit removes the IPC handlers', async () => {
    await startShell();
    app.emit('will-quit', fakeEvent());
    expect(ipcMain.handlers.size).toBe(0);
  });

  it('without a provider configured: explains in a dialog and quits, no window', async () => {
    delete process.env.OAUTH_ISSUER;
    await startShell();
    expect(fake.errorBoxes).toHaveLength(1);
    expect(fake.errorBoxes[0]![1]).toMatch(/OAUTH_ISSUER is required/);
    expect(app.quitCalls).toBe(1);
    expect(FakeBrowserWindow.instances).toHaveLength(0);
  });
});
