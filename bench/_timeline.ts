import { join } from 'node:path';
import { createSession } from '../main/auth/session';
import { silentLogger, systemClock } from '../main/platform/ports';
import { createFsRefreshLock } from '../main/platform/refresh-lock.fs';
import { createKeytarSecretStore } from '../main/platform/secret-store.keytar';
import { createConfSettingsStore } from '../main/platform/settings.conf';
import { createNodeWakeSignals } from '../main/platform/wake-signals.timer';
import { startBenchEnv } from './env';
import { ensureStoredSession, expireStoredAccessToken } from './stored-session';
import { createPortLog, timedFetch, timedSecretStore } from './probes';
import { announced } from './wait';
const env = await startBenchEnv();
try {
  await ensureStoredSession(env);
  for (let rep = 0; rep < 6; rep++) {
    await expireStoredAccessToken(env);
    const log = createPortLog();
    const ev: Array<[string, number]> = [];
    const mark = (s: string) => ev.push([s, performance.now()]);
    const settings = createConfSettingsStore({ dir: env.userData });
    const wrappedSettings = { ...settings, get: settings.get.bind(settings), set: (k: any, v: any) => { mark('settings.set start'); settings.set(k, v); mark('settings.set end'); }, recovered: settings.recovered };
    const lock = createFsRefreshLock({ dir: join(env.userData, 'locks') });
    const wrappedLock = { acquire: async (k: string, o: any) => { mark('lock.acquire start'); const r = await lock.acquire(k, o); mark('lock.acquire end'); return async () => { mark('lock.release start'); await r(); mark('lock.release end'); }; } };
    const session = createSession({ config: env.config, fetch: timedFetch(log), secretStore: timedSecretStore(createKeytarSecretStore(), log), settings: wrappedSettings as any, browser: { open: async () => {} }, clock: systemClock, wakeSignals: createNodeWakeSignals(), refreshLock: wrappedLock, logger: { info: (m: string) => mark('log ' + m), warn: (m: string) => mark('warn ' + m), error: (m: string) => mark('err ' + m) } });
    const signedIn = announced(session, 'signed-in');
    const t0 = performance.now();
    await session.restore(); mark('restore returned');
    await signedIn; mark('signed-in');
    session.dispose();
    const all = [...ev, ...log.calls.flatMap((c) => [[c.what + ' start', c.startedAt], [c.what + ' end', c.startedAt + c.ms]] as Array<[string, number]>)].sort((a, b) => a[1] - b[1]);
    if (rep >= 4) { console.log('--- rep', rep); for (const [w, t] of all) console.log((t - t0).toFixed(2).padStart(8), w); }
  }
} finally { await env.close(); }
process.exit(0);
