/**
 * Every benchmark measurement, run once with tiny sample counts against the real bench (provider,
 * demo API, chromium, keychain): the figures have the right shape and the invariants hold — no
 * network during a restore, one refresh for many concurrent calls on an expired token, no failed
 * call. No timing is asserted: speed is reported by `npm run bench`, never tested.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BaselineGrant } from '../../bench/baseline';
import { type BenchEnv, providerRequests, startBenchEnv } from '../../bench/env';
import { type BenchReport, FIGURE_KEYS, type PartialMeasurement } from '../../bench/figures';
import { measureLaunchRefresh } from '../../bench/launch-refresh';
import { measureLaunchRestore } from '../../bench/launch-restore';
import { describeMachine } from '../../bench/machine';
import { measureMemory } from '../../bench/memory';
import { measureProxyCall } from '../../bench/proxy-call';
import { measureRefreshConcurrency } from '../../bench/refresh-concurrency';
import { measureSignInOverhead } from '../../bench/signin-overhead';
import { formatMarkdown, formatTable } from '../../bench/table';

let env: BenchEnv;
let grant: BaselineGrant;
const results: PartialMeasurement[] = [];

beforeAll(async () => {
  env = await startBenchEnv();
  grant = new BaselineGrant(env);
});
afterAll(async () => {
  await env?.close();
});

/** Positive, finite durations; ratio = quotient of its two medians (rounded to 2 places). */
function expectTimedPair(result: PartialMeasurement, product: string, baseline: string, ratioKey: string, n: number): void {
  const figures = result.figures as Record<string, number>;
  for (const key of [product, baseline, ratioKey]) {
    expect(Number.isFinite(figures[key]), key).toBe(true);
    expect(figures[key], key).toBeGreaterThan(0);
    expect((result.repetitions as Record<string, number>)[key], key).toBe(n);
  }
  expect(figures[ratioKey]).toBeCloseTo(figures[product]! / figures[baseline]!, 1);
}

describe('benchmark measurements (tiny counts, no timing assertions)', () => {
  it('sign-in overhead: product sign-in and bare exchange each complete and are timed', async () => {
    const result = await measureSignInOverhead(env, { repetitions: 1, warmup: 0 }, grant);
    expectTimedPair(result, 'signin_overhead_ms', 'baseline_exchange_ms', 'signin_overhead_ratio', 1);
    results.push(result);
  });

  it('launch restore: signed in from the keychain with zero provider requests', async () => {
    const before = providerRequests(await env.counts());
    const result = await measureLaunchRestore(env, { repetitions: 3, warmup: 1 });
    expectTimedPair(result, 'launch_restore_ms', 'keychain_read_ms', 'launch_restore_ratio', 3);
    // The measurement throws on any request during a restore; the only requests allowed here are
    // the untimed renewal before it, if the stored token was due (one discovery + one token).
    expect(providerRequests(await env.counts()) - before).toBeLessThanOrEqual(2);
    expect(result.notes.join('\n')).toContain('provider requests 0');
    results.push(result);
  });

  it('launch refresh: each expired launch makes exactly one token request', async () => {
    const tokenBefore = (await env.counts()).provider.token!;
    const result = await measureLaunchRefresh(env, { repetitions: 2, warmup: 0, latencySamples: 1, latencyMs: 20 }, grant);
    expectTimedPair(result, 'launch_refresh_ms', 'provider_refresh_ms', 'launch_refresh_ratio', 2);
    // 2 + 1 (with latency) product launches and as many bare refreshes; the grant came from the
    // sign-in test, so no bare sign-in.
    const after = await env.counts();
    expect(after.provider.token! - tokenBefore).toBe(6);
    expect(result.notes.join('\n')).toMatch(/with 20 ms added/);
    expect(after.refreshTokenReuseDetected).toBe(0);
    results.push(result);
  });

  it('API proxy: proxied and direct calls all succeed; throughput is counted', async () => {
    const okBefore = (await env.counts()).api.ok;
    const result = await measureProxyCall(env, { repetitions: 20, warmup: 5, throughputCalls: 40, concurrency: 4, breakdownRounds: 5 });
    expectTimedPair(result, 'proxy_call_ms', 'direct_call_ms', 'proxy_overhead_ratio', 20);
    expect(result.figures.proxy_calls_per_s).toBeGreaterThan(0);
    expect(result.repetitions.proxy_calls_per_s).toBe(40);
    const { api } = await env.counts();
    // Both sides with warm-up, the throughput phase, and 4 layers × (5 + 5 warm-up) breakdown calls.
    expect(api.ok - okBefore).toBe(2 * (20 + 5) + 40 + 4 * (5 + 5));
    expect(result.notes.join('\n')).toMatch(/proxy by layer/);
    expect(api.invalidToken).toBe(0);
    results.push(result);
  });

  it('refresh under load: 200 concurrent calls on an expired token cost one refresh and none fails', async () => {
    const result = await measureRefreshConcurrency(env, { calls: 200, runs: 2 });
    expect(result.figures).toEqual({ refreshes_for_1000_concurrent: 1, failed_of_1000: 0 });
    expect(result.repetitions).toEqual({ refreshes_for_1000_concurrent: 2, failed_of_1000: 2 });
    const after = await env.counts();
    expect(after.refreshTokenReuseDetected).toBe(0);
    expect(after.serverErrors).toBe(0);
    results.push(result);
  });

  it('memory: growth is measured over the given number of calls', async () => {
    const result = await measureMemory(env, { warmupCalls: 20, calls: 50, batches: 5, concurrency: 4 });
    expect(Number.isFinite(result.figures.rss_growth_mb_10k_calls)).toBe(true);
    expect(result.repetitions.rss_growth_mb_10k_calls).toBe(50);
    results.push(result);
  });

  it('the report has exactly the issue-7 keys, repetitions per figure and the machine', () => {
    const report = {
      ...Object.assign({}, ...results.map((r) => r.figures)),
      repetitions: Object.assign({}, ...results.map((r) => r.repetitions)),
      machine: describeMachine(0),
    } as BenchReport;
    expect(Object.keys(report).sort()).toEqual([...FIGURE_KEYS, 'machine', 'repetitions'].sort());
    expect(Object.keys(report.repetitions).sort()).toEqual([...FIGURE_KEYS].sort());
    expect(report.machine.cores).toBeGreaterThan(0);
    expect(report.machine.node).toBe(process.versions.node);
    const table = formatTable(report);
    const markdown = formatMarkdown(report);
    for (const key of FIGURE_KEYS) {
      expect(table).toContain(key);
      expect(markdown).toContain(`| ${key} |`);
    }
  });
});
