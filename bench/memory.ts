/**
 * rss_growth_mb_10k_calls: how much the resident memory of this process (the app's core; the
 * servers run in a child process) grows over 10,000 proxied API calls after a warm-up.
 *
 * RSS is a noisy witness: glibc keeps freed memory resident (its trim threshold adapts up to
 * 64 MiB) and V8 resizes its heap, so two single readings of a process that leaks nothing can be
 * tens of MiB apart. So the measured calls run in batches, each followed by full garbage
 * collections (node runs with `--expose-gc`) and a reading, and the growth is the robust trend of
 * those readings (Theil–Sen slope × calls): a leak is a slope, a swing of the allocator is an
 * outlier the median of pairwise slopes ignores. The V8 heap in use (live objects only) is
 * reported beside it, with the same estimator. MB here means MiB.
 */
import type { BenchEnv } from './env';
import type { Measurement } from './figures';
import { ipcApiCall, runConcurrently, succeeded } from './ipc-call';
import { round, theilSenSlope } from './stats';
import { launchSignedIn } from './stored-session';

type Keys = 'rss_growth_mb_10k_calls';

/** Options of {@link measureMemory}. */
export interface MemoryCounts {
  /** Calls before the first reading (pools, JIT, heap sizes settle at this load). */
  warmupCalls: number;
  /** Calls measured (10,000 in the report). */
  calls: number;
  /** Readings are taken after each of this many equal batches (and once before the first). */
  batches: number;
  /** Calls in flight. */
  concurrency: number;
}

const MiB = 1024 * 1024;

interface Reading {
  /** Calls made since the first reading. */
  calls: number;
  rss: number;
  heapUsed: number;
}

/** Collects garbage (when exposed), lets finalizers run, and reads rss and the heap in use. */
async function settledReading(calls: number): Promise<Reading> {
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let i = 0; i < 3; i += 1) {
    gc?.();
    await new Promise((resolve) => setImmediate(resolve));
  }
  const { rss, heapUsed } = process.memoryUsage();
  return { calls, rss, heapUsed };
}

/** The robust trend of `field` over the readings, extrapolated to `calls` calls, in MiB. */
function growth(readings: readonly Reading[], field: 'rss' | 'heapUsed', calls: number): number {
  const slope = theilSenSlope(
    readings.map((r) => r.calls),
    readings.map((r) => r[field]),
  );
  return (slope * calls) / MiB;
}

/** RSS growth over `calls` proxied calls after warm-up. Throws if any call failed. */
export async function measureMemory(env: BenchEnv, counts: MemoryCounts): Promise<Measurement<Keys>> {
  const { session } = await launchSignedIn(env);
  const call = ipcApiCall(env, session, `${env.servers.apiOrigin}/items`);
  const once = async () => succeeded(await call());
  try {
    let failed = (await runConcurrently(counts.warmupCalls, counts.concurrency, once)).failed;
    const readings: Reading[] = [await settledReading(0)];
    const perBatch = Math.ceil(counts.calls / counts.batches);
    for (let done = 0; done < counts.calls; done += perBatch) {
      const batch = Math.min(perBatch, counts.calls - done);
      failed += (await runConcurrently(batch, counts.concurrency, once)).failed;
      readings.push(await settledReading(done + batch));
    }
    if (failed > 0) throw new Error(`bench: ${failed} calls failed in the memory run`);
    const rss = readings.map((r) => r.rss);
    const first = readings[0]!;
    const last = readings.at(-1)!;
    const gcNote = 'gc' in globalThis ? 'full GCs before each' : 'WITHOUT --expose-gc: readings include uncollected garbage';
    return {
      figures: { rss_growth_mb_10k_calls: round(growth(readings, 'rss', counts.calls), 2) },
      repetitions: { rss_growth_mb_10k_calls: counts.calls },
      notes: [
        `memory: ${readings.length} readings over ${counts.calls} calls after ${counts.warmupCalls} warm-up ` +
          `(${counts.concurrency} in flight, ${gcNote}); rss first/last ${round(first.rss / MiB, 1)}/${round(last.rss / MiB, 1)} MiB, ` +
          `min–max ${round(Math.min(...rss) / MiB, 1)}–${round(Math.max(...rss) / MiB, 1)} MiB; ` +
          `V8 heap in use grew ${round(growth(readings, 'heapUsed', counts.calls), 2)} MiB`,
      ],
    };
  } finally {
    session.dispose();
  }
}
