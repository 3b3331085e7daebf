/**
 * WakeSignals in the app: Electron's `powerMonitor` 'resume' and the network coming back, which the
 * main process learns by watching `net.online` (Chromium's view of connectivity; the main process
 * has no `online` event) — CHECKLIST K9: a refresh that failed offline is retried at once.
 *
 * Listeners are attached with the first subscriber and removed with the last; nothing runs at
 * import time (STYLE rule 5).
 */
import { net, powerMonitor } from 'electron';
import type { WakeSignals } from './ports';

export interface ElectronWakeSignalsOptions {
  /** How often to look at `net.online`. Default 5 s. */
  intervalMs?: number;
}

/**
 * Creates the Electron {@link WakeSignals}. Call after `app.whenReady()` (powerMonitor needs it).
 * @see https://www.electronjs.org/docs/latest/api/power-monitor#event-resume
 * @see https://www.electronjs.org/docs/latest/api/net#netonline-readonly
 */
export function createElectronWakeSignals(options: ElectronWakeSignalsOptions = {}): WakeSignals {
  const intervalMs = options.intervalMs ?? 5_000;
  const listeners = new Set<(reason: 'resume' | 'online') => void>();
  let timer: NodeJS.Timeout | null = null;
  let online = true;

  const emit = (reason: 'resume' | 'online'): void => {
    for (const listener of [...listeners]) {
      try {
        listener(reason);
      } catch {
        // One listener's failure must not silence the others.
      }
    }
  };
  const onResume = (): void => emit('resume');
  const poll = (): void => {
    const now = net.online;
    if (now && !online) emit('online');
    online = now;
  };

  const start = (): void => {
    online = net.online;
    powerMonitor.on('resume', onResume);
    timer = setInterval(poll, intervalMs);
    timer.unref();
  };
  const stop = (): void => {
    powerMonitor.removeListener('resume', onResume);
    if (timer !== null) clearInterval(timer);
    timer = null;
  };

  return {
    onWake(listener) {
      listeners.add(listener);
      if (listeners.size === 1) start();
      return () => {
        if (!listeners.delete(listener)) return;
        if (listeners.size === 0) stop();
      };
    },
  };
}
