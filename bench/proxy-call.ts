/**
 * proxy_call: p50 of protected API calls through the IPC handler path (./ipc-call.ts) vs a direct
 * fetch to the same API URL with the same access token, alternating one by one. And
 * proxy_calls_per_s: calls per second through the same path with several in flight, as a busy
 * renderer would issue them.
 *
 * A diagnostic series splits the difference by layer: a direct fetch that carries a timeout signal
 * (what any client with a timeout pays: Node's fetch follows the signal), `session.callApi` alone,
 * and the IPC handler on top of it.
 */
import type { BenchEnv } from './env';
import type { Measurement } from './figures';
import { ipcApiCall, runConcurrently, succeeded } from './ipc-call';
import { now, type SampleCounts, samplePair, sampleRoundRobin } from './sampler';
import { median, quantile, ratio, round } from './stats';
import { launchSignedIn } from './stored-session';

type Keys = 'proxy_call_ms' | 'direct_call_ms' | 'proxy_overhead_ratio' | 'proxy_calls_per_s';

/** Options of {@link measureProxyCall}. */
export interface ProxyCounts extends SampleCounts {
  /** Calls in the throughput phase. */
  throughputCalls: number;
  /** Calls in flight during the throughput phase. */
  concurrency: number;
  /** Rounds of the per-layer breakdown (each round: one call per layer). */
  breakdownRounds: number;
}

/** Proxied vs direct API calls. Throws if any call did not get a 200. */
export async function measureProxyCall(env: BenchEnv, counts: ProxyCounts): Promise<Measurement<Keys>> {
  const { session, accessToken } = await launchSignedIn(env);
  const url = `${env.servers.apiOrigin}/items`;
  const call = ipcApiCall(env, session, url);
  const authorization = `Bearer ${accessToken}`;
  try {
    const proxied = async () => {
      const t0 = now();
      const result = await call();
      const elapsed = now() - t0;
      if (!succeeded(result)) throw new Error(`bench: proxied call failed: ${JSON.stringify(result).slice(0, 200)}`);
      return elapsed;
    };
    const fetchDirect = async (init: RequestInit = {}) => {
      const t0 = now();
      const response = await fetch(url, { ...init, headers: { authorization } });
      await response.text();
      const elapsed = now() - t0;
      if (response.status !== 200) throw new Error(`bench: direct call got ${response.status}`);
      return elapsed;
    };
    const samples = await samplePair(counts, proxied, () => fetchDirect());
    const layers = await sampleRoundRobin(
      {
        direct: () => fetchDirect(),
        signal: async () => {
          // As api-call.ts does it: a controller whose timer is cleared once the answer is read.
          const controller = new AbortController();
          const timer = setTimeout(() => controller.abort(), 30_000);
          try {
            return await fetchDirect({ signal: controller.signal });
          } finally {
            clearTimeout(timer);
          }
        },
        session: async () => {
          const t0 = now();
          const response = await session.callApi({ url, method: 'GET' });
          const elapsed = now() - t0;
          if (response.status !== 200) throw new Error(`bench: session.callApi got ${response.status}`);
          return elapsed;
        },
        handler: proxied,
      },
      { repetitions: counts.breakdownRounds, warmup: Math.min(100, counts.breakdownRounds) },
    );
    const p50 = (name: string) => median(layers[name]!);
    const micros = (ms: number) => `${ms >= 0 ? '+' : ''}${round(ms * 1000, 0)} µs`;
    const throughput = await runConcurrently(counts.throughputCalls, counts.concurrency, async () => succeeded(await call()));
    if (throughput.failed > 0) throw new Error(`bench: ${throughput.failed} proxied calls failed in the throughput phase`);

    const proxy = quantile(samples.product, 0.5);
    const direct = quantile(samples.baseline, 0.5);
    const n = counts.repetitions;
    const perSecond = Math.round(counts.throughputCalls / (throughput.elapsedMs / 1000));
    return {
      figures: {
        proxy_call_ms: round(proxy, 3),
        direct_call_ms: round(direct, 3),
        proxy_overhead_ratio: ratio(proxy, direct),
        proxy_calls_per_s: perSecond,
      },
      repetitions: { proxy_call_ms: n, direct_call_ms: n, proxy_overhead_ratio: n, proxy_calls_per_s: counts.throughputCalls },
      notes: [
        `proxy: p90 ${round(quantile(samples.product, 0.9), 3)} ms proxied vs ${round(quantile(samples.baseline, 0.9), 3)} ms direct; ` +
          `overhead at p50 ${round((proxy - direct) * 1000, 0)} µs per call`,
        `proxy: ${perSecond} calls/s with ${counts.concurrency} in flight (${counts.throughputCalls} calls)`,
        `proxy by layer (p50 of ${counts.breakdownRounds} rounds): direct ${round(p50('direct'), 3)} ms; timeout signal ` +
          `${micros(p50('signal') - p50('direct'))}; rest of session.callApi ${micros(p50('session') - p50('signal'))}; ` +
          `IPC handler ${micros(p50('handler') - p50('session'))}`,
      ],
    };
  } finally {
    session.dispose();
  }
}
