/**
 * launch_restore: the app's services constructed → signed in, from a valid session in the real
 * keychain, with no network at all (the provider must see zero requests: CHECKLIST K9, "launch
 * restore reads the keychain only"). Baseline: one bare keytar read of the same entry.
 */
import type { Measurement } from './figures';
import { createPortLog, timedFetch, timedSecretStore } from './probes';
import { now, samplePair, type SampleCounts } from './sampler';
import { median, ratio, round } from './stats';
import { type BenchEnv, providerRequests as requestsIn } from './env';
import { launchSignedIn, readStoredEntry } from './stored-session';

type Keys = 'launch_restore_ms' | 'keychain_read_ms' | 'launch_restore_ratio';

/** Launch restore vs a bare keychain read. Throws if a restore touched the network. */
export async function measureLaunchRestore(env: BenchEnv, counts: SampleCounts): Promise<Measurement<Keys>> {
  // A usable access token in the keychain (renewed now, untimed, if the stored one is due).
  (await launchSignedIn(env)).session.dispose();
  const entry = await readStoredEntry(env);
  if (!entry) throw new Error('bench: no stored session');
  const log = createPortLog();
  const keychainMs: number[] = [];
  const keychainOps: number[] = [];
  const constructionMs: number[] = [];
  let fetches = 0;
  // Counted over the whole run, not per launch: asking the server process between samples would
  // wake it right when the keychain daemon needs the CPU.
  const requestsBefore = requestsIn(await env.counts());

  const samples = await samplePair(
    counts,
    async () => {
      log.clear();
      const built = now();
      const session = env.buildServices({
        fetch: timedFetch(log),
        wrapSecretStore: (store) => timedSecretStore(store, log),
      });
      const t0 = now();
      constructionMs.push(t0 - built);
      const snapshot = await session.restore();
      const elapsed = now() - t0;
      session.dispose();
      if (snapshot.state !== 'signed-in') throw new Error(`bench: restore ended in "${snapshot.state}"`);
      fetches += log.count('fetch');
      keychainMs.push(log.total('keychain'));
      keychainOps.push(log.count('keychain'));
      return elapsed;
    },
    async () => {
      const t0 = now();
      const secret = await env.keytar.getPassword(env.keychainService, entry.account);
      const elapsed = now() - t0;
      if (!secret) throw new Error('bench: the stored entry vanished');
      return elapsed;
    },
  );
  const providerRequests = requestsIn(await env.counts()) - requestsBefore;
  if (providerRequests > 0 || fetches > 0) {
    throw new Error(`bench: launch restore made ${fetches} fetches; the provider saw ${providerRequests} requests (must be 0)`);
  }

  const restore = median(samples.product);
  const read = median(samples.baseline);
  const n = counts.repetitions;
  return {
    figures: { launch_restore_ms: round(restore, 3), keychain_read_ms: round(read, 3), launch_restore_ratio: ratio(restore, read) },
    repetitions: { launch_restore_ms: n, keychain_read_ms: n, launch_restore_ratio: n },
    notes: [
      `launch restore: provider requests 0, fetches 0 over ${n + counts.warmup} launches`,
      `launch restore: ${median(keychainOps)} keychain calls per launch, ${round(median(keychainMs), 3)} ms in the keychain, ` +
        `${round(restore - median(keychainMs), 3)} ms our own work (medians); building the services before it ${round(median(constructionMs), 3)} ms`,
    ],
  };
}
