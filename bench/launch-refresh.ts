/**
 * launch_refresh: services constructed → signed in, from a session in the real keychain whose
 * access token has expired, so the launch must renew it at the provider (RFC 6749 §6) before the
 * user has a usable session. Baseline: one bare oauth4webapi refresh request (of a grant of its
 * own) in the same run.
 */
import { BaselineGrant } from './baseline';
import type { BenchEnv } from './env';
import type { Measurement } from './figures';
import { createPortLog, timedFetch, timedSecretStore } from './probes';
import { now, samplePair, type SampleCounts } from './sampler';
import { median, ratio, round } from './stats';
import { ensureStoredSession, expireStoredAccessToken } from './stored-session';
import { announced } from './wait';

type Keys = 'launch_refresh_ms' | 'provider_refresh_ms' | 'launch_refresh_ratio';

/** Launch with an expired access token vs a bare refresh. Throws unless each launch made exactly one token request. */
export async function measureLaunchRefresh(
  env: BenchEnv,
  counts: SampleCounts,
  grant: BaselineGrant = new BaselineGrant(env),
): Promise<Measurement<Keys>> {
  await ensureStoredSession(env);
  const log = createPortLog();
  const parts = { token: [] as number[], discovery: [] as number[], keychain: [] as number[], keychainOps: [] as number[], restoreReturned: [] as number[] };

  // Counted over the whole run (asking the server process between samples would perturb them):
  // every launch and every bare refresh makes exactly one token request.
  const tokenBefore = (await env.counts()).provider.token ?? 0;
  const samples = await samplePair(
    counts,
    async () => {
      await expireStoredAccessToken(env);
      log.clear();
      const session = env.buildServices({
        fetch: timedFetch(log),
        wrapSecretStore: (store) => timedSecretStore(store, log),
      });
      const signedIn = announced(session, 'signed-in');
      const t0 = now();
      const first = await session.restore();
      const returned = now() - t0;
      const elapsed = (await signedIn) - t0;
      session.dispose();
      if (first.state !== 'refreshing' || log.count('fetch /token') !== 1) {
        throw new Error(`bench: an expired launch went "${first.state}" with ${log.count('fetch /token')} token requests (want refreshing, 1)`);
      }
      parts.token.push(log.total('fetch /token'));
      parts.discovery.push(log.total('fetch /.well-known'));
      parts.keychain.push(log.total('keychain'));
      parts.keychainOps.push(log.count('keychain'));
      parts.restoreReturned.push(returned);
      return elapsed;
    },
    () => grant.refresh(),
  );

  const tokenRequests = ((await env.counts()).provider.token ?? 0) - tokenBefore;
  const expected = 2 * (counts.repetitions + counts.warmup);
  // A bare sign-in for the baseline grant (when none was adopted) adds one code exchange.
  if (tokenRequests !== expected && tokenRequests !== expected + 1) {
    throw new Error(`bench: the provider saw ${tokenRequests} token requests for ${expected} refreshes`);
  }
  const launch = median(samples.product);
  const bare = median(samples.baseline);
  const n = counts.repetitions;
  const token = median(parts.token);
  const discovery = median(parts.discovery);
  const keychain = median(parts.keychain);
  return {
    figures: { launch_refresh_ms: round(launch, 3), provider_refresh_ms: round(bare, 3), launch_refresh_ratio: ratio(launch, bare) },
    repetitions: { launch_refresh_ms: n, provider_refresh_ms: n, launch_refresh_ratio: n },
    notes: [
      `launch refresh: restore() returns "refreshing" after ${round(median(parts.restoreReturned), 3)} ms; signed in after ${round(launch, 3)} ms`,
      `launch refresh: token request ${round(token, 3)} ms, discovery ${round(discovery, 3)} ms, ` +
        `${median(parts.keychainOps)} keychain calls ${round(keychain, 3)} ms, rest ${round(launch - token - discovery - keychain, 3)} ms (medians)`,
    ],
  };
}
