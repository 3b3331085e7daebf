/**
 * Navigation, new windows, webviews and permissions (CHECKLIST E6–E8), through the
 * `web-contents-created` hook, so every web contents the app ever creates is covered.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', async () => (await import('./fake-electron')).electronModule);

import { type BlockedAction, hardenApp, isAppUrl } from '../../main/windows/hardening';
import { app, FakeBrowserWindow, fake, fakeEvent, resetFakeElectron } from './fake-electron';

let blocked: BlockedAction[];

function hardenedWindow() {
  blocked = [];
  hardenApp(app as never, { onBlocked: (b) => blocked.push(b) });
  return new FakeBrowserWindow({});
}

beforeEach(() => resetFakeElectron());

describe('E7: navigation away from the app is blocked', () => {
  for (const event of ['will-navigate', 'will-frame-navigate', 'will-redirect']) {
    it(`${event}: other origins prevented, app:// allowed`, () => {
      const win = hardenedWindow();
      for (const url of [
        'https://evil.example/',
        'http://127.0.0.1:4400/auth?state=abc',
        'file:///etc/passwd',
        'app://other/index.html',
        'javascript:alert(1)',
        'not a url',
      ]) {
        const e = fakeEvent({ url });
        win.webContents.emit(event, e);
        expect(e.defaultPrevented, url).toBe(true);
      }
      const ok = fakeEvent({ url: 'app://app/index.html#top' });
      win.webContents.emit(event, ok);
      expect(ok.defaultPrevented).toBe(false);
    });
  }

  it('reports only the origin of a blocked URL (it may carry state)', () => {
    const win = hardenedWindow();
    win.webContents.emit('will-navigate', fakeEvent({ url: 'https://login.example/auth?state=s3cr3t' }));
    expect(blocked).toEqual([{ kind: 'navigation', detail: 'https://login.example' }]);
  });

  it('isAppUrl compares scheme and host, not prefixes', () => {
    expect(isAppUrl('app://app/x')).toBe(true);
    expect(isAppUrl('app://app.evil/x')).toBe(false);
    expect(isAppUrl('app://ap/x')).toBe(false);
    expect(isAppUrl('https://app/x')).toBe(false);
  });
});

describe('E8: no new windows, no webviews', () => {
  it('window.open is denied for every URL, including our own', () => {
    const win = hardenedWindow();
    for (const url of ['https://evil.example/', 'app://app/index.html', 'about:blank']) {
      expect(win.webContents.windowOpenHandler!({ url })).toEqual({ action: 'deny' });
    }
    expect(fake.openedExternally).toEqual([]);
  });

  it('attaching a webview is prevented', () => {
    const win = hardenedWindow();
    const e = fakeEvent();
    win.webContents.emit('will-attach-webview', e, {}, {});
    expect(e.defaultPrevented).toBe(true);
  });
});

describe('E6: every permission request and check is denied', () => {
  it('requests get false, checks return false, devices and screen capture are refused', () => {
    const win = hardenedWindow();
    const session = win.webContents.session;
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal', 'fullscreen']) {
      let granted: boolean | undefined;
      session.permissionRequestHandler!(win.webContents, permission, (g) => {
        granted = g;
      }, {});
      expect(granted, permission).toBe(false);
      expect(session.permissionCheckHandler!(win.webContents, permission, 'app://app', {})).toBe(false);
    }
    expect(session.devicePermissionHandler!({ deviceType: 'usb' })).toBe(false);
    let streams: unknown = 'unset';
    session.displayMediaRequestHandler!({}, (s) => {
      streams = s;
    });
    expect(streams).toBeNull();
    expect(blocked.filter((b) => b.kind === 'permission')).toHaveLength(6);
  });
});
