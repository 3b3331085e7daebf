/**
 * WakeSignals for plain Node (the CLI, benchmarks, tests): Node has no powerMonitor or `net.online`,
 * so a timer stands in for both (CHECKLIST K9).
 *
 * - `online`: a probe runs every `intervalMs`; a change from "offline" to "online" is reported.
 *   The default probe asks the OS whether any non-loopback interface has an address; pass a probe
 *   that tries the provider (e.g. a TCP connect) where that is not good enough.
 * - `resume`: the wall clock advancing much more than the monotonic clock between two ticks means
 *   the machine was suspended (CLOCK_MONOTONIC stops during suspend on Linux and macOS).
 *
 * The timer starts with the first listener and stops with the last, is `unref`'d so it never keeps
 * a CLI alive, and nothing runs at import time (STYLE rule 5).
 *
 * (Named `.timer`, not `.node`: an import ending in `.node` is resolved as a native addon by Node/tsx.)
 */
import { networkInterfaces } from 'node:os';
import type { Clock, WakeSignals } from './ports';
import { systemClock } from './ports';

export interface NodeWakeSignalsOptions {
  /** How often to probe. Default 15 s. */
  intervalMs?: number;
  /** Resolves true when the network looks usable. Default: {@link hasNonLoopbackAddress}. */
  probe?: () => boolean | Promise<boolean>;
  clock?: Clock;
  /** Wall-clock gain over monotonic time, beyond the interval, that counts as a resume. Default 5 s. */
  resumeThresholdMs?: number;
}

/**
 * Creates the timer-based {@link WakeSignals}.
 * @see CHECKLIST K9 (retry on resume/online)
 */
export function createNodeWakeSignals(options: NodeWakeSignalsOptions = {}): WakeSignals {
  const intervalMs = options.intervalMs ?? 15_000;
  const probe = options.probe ?? hasNonLoopbackAddress;
  const clock = options.clock ?? systemClock;
  const resumeThresholdMs = options.resumeThresholdMs ?? 5_000;
  const listeners = new Set<(reason: 'resume' | 'online') => void>();
  let timer: NodeJS.Timeout | null = null;
  let online: boolean | null = null;
  let lastWall = 0;
  let lastMono = 0;
  let probing = false;

  const emit = (reason: 'resume' | 'online'): void => {
    for (const listener of [...listeners]) {
      try {
        listener(reason);
      } catch {
        // A listener's failure must not stop the others or the timer.
      }
    }
  };

  const tick = async (): Promise<void> => {
    const wall = clock.now();
    const mono = clock.monotonicNow();
    const gained = wall - lastWall - (mono - lastMono);
    lastWall = wall;
    lastMono = mono;
    if (gained > resumeThresholdMs) emit('resume');
    if (probing) return;
    probing = true;
    try {
      const now = await Promise.resolve(probe()).catch(() => false);
      if (now && online === false) emit('online');
      online = now;
    } finally {
      probing = false;
    }
  };

  const start = (): void => {
    lastWall = clock.now();
    lastMono = clock.monotonicNow();
    online = null;
    void tick();
    timer = setInterval(() => void tick(), intervalMs);
    timer.unref();
  };

  return {
    onWake(listener) {
      listeners.add(listener);
      if (timer === null) start();
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0 && timer !== null) {
          clearInterval(timer);
          timer = null;
        }
      };
    },
  };
}

/** True when some non-internal network interface has an address (the machine is on a network). */
export function hasNonLoopbackAddress(): boolean {
  return Object.values(networkInterfaces()).some((list) => (list ?? []).some((i) => !i.internal));
}
