/**
 * Where the figures were measured: CPU model (as `lscpu` names it), cores, Node version, and the
 * 1-minute load average — timings from a machine that was busy with other work are not comparable.
 */
import { availableParallelism, cpus, loadavg } from 'node:os';
import type { Machine } from './figures';

/** The 1-minute load average (0 where the OS has none, e.g. Windows). */
export function load1(): number {
  return Math.round(loadavg()[0]! * 100) / 100;
}

/** The machine, with `loadBefore` taken when the run started. */
export function describeMachine(loadBefore: number): Machine {
  return {
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: availableParallelism(),
    node: process.versions.node,
    load_before: loadBefore,
    load_after: load1(),
  };
}
