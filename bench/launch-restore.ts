/**
 * launch_restore: the app's services constructed → signed in, from a valid session in the real
 * keychain, with no network at all (the provider must see zero requests: CHECKLIST K9, "launch
 * restore reads the keychain only"). Baseline: one bare keytar read of the same entry.
 *
 * A launch builds every service anew, as main/cli.ts does, including the settings store, whose
 * schema compilation (conf + ajv) leaves the engine busy for a few milliseconds after it returns.
 * A second, diagnostic series restores with the settings store opened beforehand (as the Electron
 * app does: it opens settings, then builds its window, then restores), to show what that costs.
 */
import { createConfSettingsStore } from '../main/platform/settings.conf';
import { type BenchEnv, providerRequests as requestsIn, type ServiceOptions } from './env';
import type { Measurement } from './figures';
import { createPortLog, timedFetch, timedSecretStore } from './probes';
import { now, type SampleCounts, samplePair, type Trial } from './sampler';
import { median, ratio, round } from './stats';
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

  const launch =
    (options: Pick<ServiceOptions, 'settings'>, record: boolean): Trial =>
    async (round) => {
      log.clear();
      const built = now();
      const session = env.buildServices({ ...options, fetch: timedFetch(log), wrapSecretStore: (store) => timedSecretStore(store, log) });
      const t0 = now();
      const snapshot = await session.restore();
      const elapsed = now() - t0;
      session.dispose();
      if (snapshot.state !== 'signed-in') throw new Error(`bench: restore ended in "${snapshot.state}"`);
      fetches += log.count('fetch');
      if (record && round >= 0) {
        constructionMs.push(t0 - built);
        keychainMs.push(log.total('keychain'));
        keychainOps.push(log.count('keychain'));
      }
      return elapsed;
    };
  const bareRead: Trial = async () => {
    const t0 = now();
    const secret = await env.keytar.getPassword(env.keychainService, entry.account);
    const elapsed = now() - t0;
    if (!secret) throw new Error('bench: the stored entry vanished');
    return elapsed;
  };

  // Counted over the whole run, not per launch: asking the server process between samples would
  // wake it right when the keychain daemon needs the CPU.
  const requestsBefore = requestsIn(await env.counts());
  const samples = await samplePair(counts, launch({}, true), bareRead);
  const settled = await samplePair(counts, launch({ settings: createConfSettingsStore({ dir: env.userData }) }, false), bareRead);
  const providerRequests = requestsIn(await env.counts()) - requestsBefore;
  if (providerRequests > 0 || fetches > 0) {
    throw new Error(`bench: launch restore made ${fetches} fetches; the provider saw ${providerRequests} requests (must be 0)`);
  }

  const restore = median(samples.product);
  const read = median(samples.baseline);
  const n = counts.repetitions;
  const inKeychain = median(keychainMs);
  return {
    figures: { launch_restore_ms: round(restore, 3), keychain_read_ms: round(read, 3), launch_restore_ratio: ratio(restore, read) },
    repetitions: { launch_restore_ms: n, keychain_read_ms: n, launch_restore_ratio: n },
    notes: [
      `launch restore: provider requests 0, fetches 0 over ${2 * (n + counts.warmup)} launches`,
      `launch restore: ${median(keychainOps)} keychain call per launch taking ${round(inKeychain, 3)} ms, our own work ` +
        `${round(restore - inKeychain, 3)} ms (medians); building the services before it ${round(median(constructionMs), 3)} ms (not in the figure)`,
      `launch restore with the settings store opened beforehand: ${round(median(settled.product), 3)} ms vs a bare read ` +
        `${round(median(settled.baseline), 3)} ms (${ratio(median(settled.product), median(settled.baseline))} ×, ${n} samples each)`,
    ],
  };
}
