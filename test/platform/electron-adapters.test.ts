/**
 * The small Electron adapters, over the fake `electron` module: wake signals from powerMonitor
 * 'resume' and `net.online` coming back (CHECKLIST K9), and `net.fetch` as the core's FetchLike.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', async () => (await import('../windows/fake-electron')).electronModule);

import { electronFetch } from '../../main/platform/fetch.electron';
import { createElectronWakeSignals } from '../../main/platform/wake-signals.electron';
import { electronModule, powerMonitor, resetFakeElectron } from '../windows/fake-electron';

beforeEach(() => {
  resetFakeElectron();
  electronModule.net.online = true;
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('createElectronWakeSignals', () => {
  it('reports resume, and online only on an offline → online change', () => {
    const wake = createElectronWakeSignals({ intervalMs: 1000 });
    const seen: string[] = [];
    const off = wake.onWake((reason) => seen.push(reason));
    powerMonitor.emit('resume');
    vi.advanceTimersByTime(3000);
    expect(seen).toEqual(['resume']);
    electronModule.net.online = false;
    vi.advanceTimersByTime(1000);
    electronModule.net.online = true;
    vi.advanceTimersByTime(1000);
    vi.advanceTimersByTime(3000);
    expect(seen).toEqual(['resume', 'online']);
    off();
  });

  it('attaches to powerMonitor with the first listener and detaches with the last', () => {
    const wake = createElectronWakeSignals();
    expect(powerMonitor.listenerCount('resume')).toBe(0);
    const a = wake.onWake(() => {});
    const b = wake.onWake(() => {});
    expect(powerMonitor.listenerCount('resume')).toBe(1);
    a();
    expect(powerMonitor.listenerCount('resume')).toBe(1);
    b();
    expect(powerMonitor.listenerCount('resume')).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('one failing listener does not silence the others', () => {
    const wake = createElectronWakeSignals();
    const seen: string[] = [];
    wake.onWake(() => {
      throw new Error('listener bug');
    });
    wake.onWake((r) => seen.push(r));
    powerMonitor.emit('resume');
    expect(seen).toEqual(['resume']);
  });
});

describe('electronFetch', () => {
  it('passes URL objects as strings and never lets our own protocol handlers answer', async () => {
    const calls: Array<[unknown, unknown]> = [];
    const original = electronModule.net.fetch;
    electronModule.net.fetch = async (input: string | Request, init?: RequestInit) => {
      calls.push([input, init]);
      return new Response('ok');
    };
    try {
      await electronFetch(new URL('https://id.example/token'), { method: 'POST' });
      expect(calls).toEqual([['https://id.example/token', { method: 'POST', bypassCustomProtocolHandlers: true }]]);
    } finally {
      electronModule.net.fetch = original;
    }
  });
});
