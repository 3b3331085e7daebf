/**
 * One running app (CHECKLIST E16): without the lock the app quits at once and does nothing else;
 * with it, a second launch brings the existing window to the front.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', async () => (await import('./fake-electron')).electronModule);

import { claimSingleInstance } from '../../main/windows/single-instance';
import { app, fakeEvent, resetFakeElectron } from './fake-electron';

beforeEach(() => resetFakeElectron());

describe('E16: single instance', () => {
  it('without the lock: quits and reports false', () => {
    app.lockAvailable = false;
    let focused = 0;
    expect(claimSingleInstance(app as never, () => focused++)).toBe(false);
    expect(app.quitCalls).toBe(1);
    expect(app.listenerCount('second-instance')).toBe(0);
  });

  it('with the lock: a second launch calls the focus function', () => {
    let focused = 0;
    expect(claimSingleInstance(app as never, () => focused++)).toBe(true);
    expect(app.quitCalls).toBe(0);
    app.emit('second-instance', fakeEvent(), ['oauth-desktop'], '/home/user');
    app.emit('second-instance', fakeEvent(), ['oauth-desktop'], '/home/user');
    expect(focused).toBe(2);
  });
});
