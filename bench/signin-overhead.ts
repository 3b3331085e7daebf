/**
 * signin_overhead: from the browser's callback hitting the app's loopback listener to the session
 * signed in and stored in the keychain (the session service saves before it announces, so the
 * moment `signIn()` resolves is that point). Baseline: a bare oauth4webapi code exchange and a
 * keytar write, timed the same way from delivering the callback to its one-path listener.
 *
 * Chromium plays the user and delivers the callback for real. The clock starts when the callback
 * request reaches the listener, seen on Node's HTTP diagnostics channel (./callback.ts): no product
 * code is touched, and the browser's time at the provider's pages is in neither figure.
 */
import { BaselineGrant, bareSignIn } from './baseline';
import { redirectPort, watchListener } from './callback';
import type { BenchEnv } from './env';
import type { Measurement } from './figures';
import { createPortLog, type PortCall, timedFetch, timedSecretStore } from './probes';
import { now, samplePair, type SampleCounts } from './sampler';
import { median, ratio, round } from './stats';

type Keys = 'signin_overhead_ms' | 'baseline_exchange_ms' | 'signin_overhead_ratio';

const sum = (calls: readonly PortCall[]) => calls.reduce((total, c) => total + c.ms, 0);

/** Product sign-in (callback → stored) vs bare exchange + keytar write. */
export async function measureSignInOverhead(
  env: BenchEnv,
  counts: SampleCounts,
  grant: BaselineGrant = new BaselineGrant(env),
): Promise<Measurement<Keys>> {
  const log = createPortLog();
  // One service for every sign-in, as in the app: sign-ins replace the session of the same user.
  const session = env.buildServices({ fetch: timedFetch(log), wrapSecretStore: (store) => timedSecretStore(store, log) });
  const parts = { token: [] as number[], keychain: [] as number[], followUp: [] as number[], afterFollowUp: [] as number[] };
  try {
    const samples = await samplePair(
      counts,
      async (round) => {
        const signedIn = session.signIn().then((snapshot) => ({ snapshot, at: now() }));
        const url = await env.nextAuthorizationUrl();
        const watch = watchListener(redirectPort(url));
        const browsing = env.browser.signIn(url, { keepSession: true });
        try {
          const { snapshot, at } = await signedIn;
          const t0 = await watch.callback;
          if (snapshot.state !== 'signed-in') throw new Error(`bench: product sign-in ended "${snapshot.state}"`);
          const inWindow = log.calls.filter((c) => c.startedAt >= t0);
          const followUp = watch.followUps[0];
          log.clear();
          if (round >= 0) {
            parts.token.push(sum(inWindow.filter((c) => c.what === 'fetch /token')));
            parts.keychain.push(sum(inWindow.filter((c) => c.what.startsWith('keychain'))));
            if (followUp !== undefined) {
              parts.followUp.push(followUp - t0);
              parts.afterFollowUp.push(at - followUp);
            }
          }
          return at - t0;
        } finally {
          watch.cancel();
          await browsing;
        }
      },
      async () => {
        const result = await bareSignIn(env);
        grant.adopt(result.tokens);
        return result.elapsedMs;
      },
    );
    const product = median(samples.product);
    const bare = median(samples.baseline);
    const n = counts.repetitions;
    const token = median(parts.token);
    const keychain = median(parts.keychain);
    return {
      figures: { signin_overhead_ms: round(product, 3), baseline_exchange_ms: round(bare, 3), signin_overhead_ratio: ratio(product, bare) },
      repetitions: { signin_overhead_ms: n, baseline_exchange_ms: n, signin_overhead_ratio: n },
      notes: [
        `sign-in: token request ${round(token, 3)} ms, keychain write ${round(keychain, 3)} ms, ` +
          `rest ${round(product - token - keychain, 3)} ms (medians; rest = listener, validation, the browser's follow-up, closing)`,
        `sign-in: the browser followed the listener's redirect ${round(median(parts.followUp), 3)} ms after the callback; ` +
          `signed in and stored ${round(median(parts.afterFollowUp), 3)} ms after that (medians of ${parts.followUp.length})`,
      ],
    };
  } finally {
    session.dispose();
  }
}
