/**
 * launch_refresh: services constructed → signed in, from a session in the real keychain whose
 * access token has expired, so the launch must renew it at the provider (RFC 6749 §6) before the
 * user has a usable session. Baseline: one bare oauth4webapi refresh request (of a grant of its
 * own) in the same run.
 *
 * The bench provider answers on loopback in ~3 ms, far faster than any real one. A diagnostic
 * series repeats both sides with a network-like delay on the provider's discovery and token
 * endpoints, to show which of the launch's costs grow with the network and which do not.
 */
import { BaselineGrant } from './baseline';
import type { BenchEnv } from './env';
import type { Measurement } from './figures';
import { createPortLog, timedFetch, timedSecretStore } from './probes';
import { now, type SampleCounts, samplePair, type Trial } from './sampler';
import { median, ratio, round } from './stats';
import { ensureStoredSession, expireStoredAccessToken } from './stored-session';
import { announced } from './wait';

type Keys = 'launch_refresh_ms' | 'provider_refresh_ms' | 'launch_refresh_ratio';

/** Options of {@link measureLaunchRefresh}. */
export interface LaunchRefreshCounts extends SampleCounts {
  /** Samples per side of the diagnostic series with provider latency (0 skips it). */
  latencySamples: number;
  /** The delay added to each discovery and token response in that series, in ms. */
  latencyMs: number;
}

interface Parts {
  token: number[];
  discovery: number[];
  keychain: number[];
  keychainOps: number[];
  restoreReturned: number[];
}

/** Launch with an expired access token vs a bare refresh. Throws unless each launch made exactly one token request. */
export async function measureLaunchRefresh(
  env: BenchEnv,
  counts: LaunchRefreshCounts,
  grant: BaselineGrant = new BaselineGrant(env),
): Promise<Measurement<Keys>> {
  await ensureStoredSession(env);
  const log = createPortLog();
  const parts: Parts = { token: [], discovery: [], keychain: [], keychainOps: [], restoreReturned: [] };

  const launch =
    (record: boolean): Trial =>
    async (round) => {
      await expireStoredAccessToken(env);
      log.clear();
      const session = env.buildServices({ fetch: timedFetch(log), wrapSecretStore: (store) => timedSecretStore(store, log) });
      const signedIn = announced(session, 'signed-in');
      const t0 = now();
      const first = await session.restore();
      const returned = now() - t0;
      const elapsed = (await signedIn) - t0;
      session.dispose();
      if (first.state !== 'refreshing' || log.count('fetch /token') !== 1) {
        throw new Error(`bench: an expired launch went "${first.state}" with ${log.count('fetch /token')} token requests (want refreshing, 1)`);
      }
      if (record && round >= 0) {
        parts.token.push(log.total('fetch /token'));
        parts.discovery.push(log.total('fetch /.well-known'));
        parts.keychain.push(log.total('keychain'));
        parts.keychainOps.push(log.count('keychain'));
        parts.restoreReturned.push(returned);
      }
      return elapsed;
    };
  const bare: Trial = () => grant.refresh();

  // Counted over the whole run (asking the server process between samples would perturb them):
  // every launch and every bare refresh makes exactly one token request.
  const tokenBefore = (await env.counts()).provider.token ?? 0;
  const samples = await samplePair(counts, launch(true), bare);
  const tokenRequests = ((await env.counts()).provider.token ?? 0) - tokenBefore;
  const expected = 2 * (counts.repetitions + counts.warmup);
  // A bare sign-in for the baseline grant (when none was adopted) adds one code exchange.
  if (tokenRequests !== expected && tokenRequests !== expected + 1) {
    throw new Error(`bench: the provider saw ${tokenRequests} token requests for ${expected} refreshes`);
  }

  const notes: string[] = [];
  if (counts.latencySamples > 0) {
    await env.servers.delay(['discovery', 'token'], counts.latencyMs);
    try {
      const slow = await samplePair({ repetitions: counts.latencySamples, warmup: 0 }, launch(false), bare);
      const slowLaunch = median(slow.product);
      const slowBare = median(slow.baseline);
      notes.push(
        `launch refresh with ${counts.latencyMs} ms added to each discovery and token response: ${round(slowLaunch, 1)} ms ` +
          `vs a bare refresh ${round(slowBare, 1)} ms (${ratio(slowLaunch, slowBare)} ×, ${counts.latencySamples} samples each)`,
      );
    } finally {
      await env.servers.resetFaults();
    }
  }

  const launchMs = median(samples.product);
  const bareMs = median(samples.baseline);
  const n = counts.repetitions;
  const token = median(parts.token);
  const discovery = median(parts.discovery);
  const keychain = median(parts.keychain);
  return {
    figures: { launch_refresh_ms: round(launchMs, 3), provider_refresh_ms: round(bareMs, 3), launch_refresh_ratio: ratio(launchMs, bareMs) },
    repetitions: { launch_refresh_ms: n, provider_refresh_ms: n, launch_refresh_ratio: n },
    notes: [
      `launch refresh: restore() returns "refreshing" after ${round(median(parts.restoreReturned), 3)} ms; signed in after ${round(launchMs, 3)} ms`,
      `launch refresh: token request ${round(token, 3)} ms, discovery ${round(discovery, 3)} ms, ` +
        `${median(parts.keychainOps)} keychain calls ${round(keychain, 3)} ms, rest ${round(launchMs - token - discovery - keychain, 3)} ms (medians)`,
      ...notes,
    ],
  };
}
