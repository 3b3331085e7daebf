/**
 * refreshes_for_1000_concurrent: a launched session whose access token has expired gets 1,000 API
 * calls at once through the IPC handler path; the provider's token counter must move by exactly
 * one (single flight, CHECKLIST K12), and every call must get its 200. `refreshOnRestore: false`
 * makes the calls, not the launch, be the ones that find the token expired.
 */
import type { BenchEnv } from './env';
import type { Measurement } from './figures';
import { ipcApiCall, succeeded } from './ipc-call';
import { ensureStoredSession, expireStoredAccessToken } from './stored-session';

type Keys = 'refreshes_for_1000_concurrent' | 'failed_of_1000';

/** Options of {@link measureRefreshConcurrency}. */
export interface ConcurrencyCounts {
  /** Calls fired at once (1,000 in the report). */
  calls: number;
  /** Independent runs; the report gives the worst of them. */
  runs: number;
}

/** Token requests and failures when `calls` calls hit an expired token at once (worst run). */
export async function measureRefreshConcurrency(env: BenchEnv, counts: ConcurrencyCounts): Promise<Measurement<Keys>> {
  await ensureStoredSession(env);
  let worstRefreshes = 0;
  let worstFailed = 0;
  const perRun: string[] = [];
  for (let run = 0; run < counts.runs; run += 1) {
    await expireStoredAccessToken(env);
    const session = env.buildServices({ tunables: { refreshOnRestore: false } });
    try {
      await session.restore();
      const call = ipcApiCall(env, session, `${env.servers.apiOrigin}/items`);
      const before = (await env.counts()).provider.token ?? 0;
      const results = await Promise.all(Array.from({ length: counts.calls }, () => call().then(succeeded, () => false)));
      const refreshes = ((await env.counts()).provider.token ?? 0) - before;
      const failed = results.filter((ok) => !ok).length;
      worstRefreshes = Math.max(worstRefreshes, refreshes);
      worstFailed = Math.max(worstFailed, failed);
      perRun.push(`${refreshes}/${failed}`);
    } finally {
      session.dispose();
    }
  }
  return {
    figures: { refreshes_for_1000_concurrent: worstRefreshes, failed_of_1000: worstFailed },
    repetitions: { refreshes_for_1000_concurrent: counts.runs, failed_of_1000: counts.runs },
    notes: [`concurrency: ${counts.calls} calls at once on an expired token, refreshes/failed per run: ${perRun.join(', ')} (worst reported)`],
  };
}
