import { startBenchEnv } from './env';
import { launchSignedIn, readStoredEntry } from './stored-session';
import { median } from './stats';
const env = await startBenchEnv();
try {
  (await launchSignedIn(env)).session.dispose();
  const entry = (await readStoredEntry(env))!;
  const res: Record<string, number[]> = { plain: [], gc: [], sleep: [], bare: [], construct: [] };
  for (let i = 0; i < 120; i++) {
    for (const mode of ['plain', 'gc', 'sleep', 'bare']) {
      if (mode === 'bare') { const t = performance.now(); await env.keytar.getPassword(env.keychainService, entry.account); if (i >= 20) res.bare!.push(performance.now() - t); continue; }
      const b = performance.now();
      const s = env.buildServices();
      if (mode === 'plain' && i >= 20) res.construct!.push(performance.now() - b);
      if (mode === 'gc') (globalThis as any).gc();
      if (mode === 'sleep') await new Promise((r) => setTimeout(r, 5));
      const t = performance.now(); const snap = await s.restore(); const e = performance.now() - t;
      if (snap.state !== 'signed-in') throw new Error(snap.state);
      s.dispose();
      if (i >= 20) res[mode]!.push(e);
    }
  }
  for (const [k, v] of Object.entries(res)) console.log(k.padEnd(10), median(v).toFixed(3));
} finally { await env.close(); }
process.exit(0);
