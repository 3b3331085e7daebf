import { join } from 'node:path';
import { createSession } from '../main/auth/session';
import { silentLogger, systemClock } from '../main/platform/ports';
import { createFsRefreshLock } from '../main/platform/refresh-lock.fs';
import { createKeytarSecretStore } from '../main/platform/secret-store.keytar';
import { createConfSettingsStore } from '../main/platform/settings.conf';
import { createNodeWakeSignals } from '../main/platform/wake-signals.timer';
import { startBenchEnv } from './env';
import { launchSignedIn, readStoredEntry } from './stored-session';
import { median } from './stats';
const env = await startBenchEnv();
try {
  (await launchSignedIn(env)).session.dispose();
  const entry = (await readStoredEntry(env))!;
  const shared = createConfSettingsStore({ dir: env.userData });
  const build = (settings: any) => createSession({ config: env.config, fetch: globalThis.fetch, secretStore: createKeytarSecretStore(), settings, browser: { open: async () => {} }, clock: systemClock, wakeSignals: createNodeWakeSignals(), refreshLock: createFsRefreshLock({ dir: join(env.userData, 'locks') }), logger: silentLogger });
  const res: Record<string, number[]> = { fresh: [], sharedSettings: [], bare: [], bareAfterConf: [] };
  for (let i = 0; i < 120; i++) {
    for (const mode of Object.keys(res)) {
      let t: number;
      if (mode === 'bare' || mode === 'bareAfterConf') {
        if (mode === 'bareAfterConf') createConfSettingsStore({ dir: env.userData });
        t = performance.now(); await env.keytar.getPassword(env.keychainService, entry.account);
      } else {
        const s = build(mode === 'fresh' ? createConfSettingsStore({ dir: env.userData }) : shared);
        t = performance.now(); const snap = await s.restore(); if (snap.state !== 'signed-in') throw new Error(snap.state); s.dispose();
      }
      if (i >= 20) res[mode]!.push(performance.now() - t);
    }
  }
  for (const [k, v] of Object.entries(res)) console.log(k.padEnd(16), median(v).toFixed(3));
} finally { await env.close(); }
process.exit(0);
