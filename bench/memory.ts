/**
 * rss_growth_mb_10k_calls: resident memory of this process after a warm-up of proxied API calls,
 * and again after 10,000 more. Both readings follow full garbage collections when node runs with
 * `--expose-gc` (npm run bench does), so what remains is memory still referenced — a leak — not
 * garbage not yet collected. MB here means MiB (2^20 bytes).
 */
import type { BenchEnv } from './env';
import type { Measurement } from './figures';
import { ipcApiCall, runConcurrently, succeeded } from './ipc-call';
import { round } from './stats';
import { launchSignedIn } from './stored-session';

type Keys = 'rss_growth_mb_10k_calls';

/** Options of {@link measureMemory}. */
export interface MemoryCounts {
  /** Calls before the first reading (pools, JIT, caches settle). */
  warmupCalls: number;
  /** Calls between the readings (10,000 in the report). */
  calls: number;
  /** Calls in flight. */
  concurrency: number;
}

const MiB = 1024 * 1024;

/** Collects garbage (when exposed) and reads rss and heapUsed. */
async function settledMemory(): Promise<{ rss: number; heapUsed: number }> {
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let i = 0; i < 3; i += 1) {
    gc?.();
    await new Promise((resolve) => setImmediate(resolve));
  }
  const { rss, heapUsed } = process.memoryUsage();
  return { rss, heapUsed };
}

/** RSS growth over `calls` proxied calls after warm-up. Throws if any call failed. */
export async function measureMemory(env: BenchEnv, counts: MemoryCounts): Promise<Measurement<Keys>> {
  const { session } = await launchSignedIn(env);
  const call = ipcApiCall(env, session, `${env.servers.apiOrigin}/items`);
  const once = async () => succeeded(await call());
  try {
    const warm = await runConcurrently(counts.warmupCalls, counts.concurrency, once);
    const before = await settledMemory();
    const run = await runConcurrently(counts.calls, counts.concurrency, once);
    const after = await settledMemory();
    if (warm.failed + run.failed > 0) throw new Error(`bench: ${warm.failed + run.failed} calls failed in the memory run`);
    const gcNote = 'gc' in globalThis ? 'after full GCs' : 'WITHOUT --expose-gc: readings include uncollected garbage';
    return {
      figures: { rss_growth_mb_10k_calls: round((after.rss - before.rss) / MiB, 2) },
      repetitions: { rss_growth_mb_10k_calls: counts.calls },
      notes: [
        `memory: rss ${round(before.rss / MiB, 1)} → ${round(after.rss / MiB, 1)} MiB, heap used ` +
          `${round(before.heapUsed / MiB, 1)} → ${round(after.heapUsed / MiB, 1)} MiB over ${counts.calls} calls ` +
          `(${counts.concurrency} in flight, ${gcNote})`,
      ],
    };
  } finally {
    session.dispose();
  }
}
