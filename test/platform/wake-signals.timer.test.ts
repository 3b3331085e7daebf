/**
 * WakeSignals for Node (CHECKLIST K9): "online" when the probe turns true after being false, and
 * "resume" when the wall clock jumped ahead of the monotonic clock (the machine slept).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Clock } from '../../main/platform/ports';
import { createNodeWakeSignals, hasNonLoopbackAddress } from '../../main/platform/wake-signals.timer';

const offs: Array<() => void> = [];
afterEach(() => {
  for (const off of offs.splice(0)) off();
});

const until = async (cond: () => boolean) => {
  const deadline = Date.now() + 5_000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('Node wake signals', () => {
  it('K9 emits "online" when the network comes back (offline → online), not while it stays up', async () => {
    let up = false;
    const signals = createNodeWakeSignals({ intervalMs: 10, probe: () => up });
    const seen: string[] = [];
    offs.push(signals.onWake((reason) => seen.push(reason)));
    await new Promise((r) => setTimeout(r, 50));
    expect(seen).toEqual([]);
    up = true;
    await until(() => seen.length > 0);
    await new Promise((r) => setTimeout(r, 50));
    expect(seen).toEqual(['online']);
  });

  it('K9 emits "resume" when the wall clock jumps ahead of the monotonic clock (suspend)', async () => {
    let slept = 0;
    const clock: Clock = { now: () => Date.now() + slept, monotonicNow: () => performance.now() };
    const signals = createNodeWakeSignals({ intervalMs: 10, probe: () => true, clock });
    const seen: string[] = [];
    offs.push(signals.onWake((reason) => seen.push(reason)));
    await new Promise((r) => setTimeout(r, 40));
    slept = 60_000;
    await until(() => seen.includes('resume'));
    expect(seen.filter((r) => r === 'resume')).toHaveLength(1);
  });

  it('stops its timer with the last listener; a throwing listener does not stop the others', async () => {
    let probes = 0;
    let up = false;
    const signals = createNodeWakeSignals({ intervalMs: 5, probe: () => {
        probes += 1;
        return up;
      },
    });
    const seen: string[] = [];
    const offA = signals.onWake(() => {
      throw new Error('listener bug');
    });
    const offB = signals.onWake((r) => seen.push(r));
    await new Promise((r) => setTimeout(r, 20));
    up = true;
    await until(() => seen.length > 0);
    offA();
    offB();
    const after = probes;
    await new Promise((r) => setTimeout(r, 40));
    expect(probes).toBe(after);
  });

  it('the default probe answers without network access', () => {
    expect(typeof hasNonLoopbackAddress()).toBe('boolean');
  });
});
