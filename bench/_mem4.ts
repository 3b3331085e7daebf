import { getHeapSpaceStatistics } from 'node:v8';
import { startBenchEnv } from './env';
import { launchSignedIn } from './stored-session';
import { ipcApiCall, runConcurrently, succeeded } from './ipc-call';
import { measureLaunchRestore } from './launch-restore';
const env = await startBenchEnv();
const reps = Number(process.argv[2] ?? 60);
try {
  if (reps > 0) await measureLaunchRestore(env, { repetitions: reps, warmup: 5 });
  const { session } = await launchSignedIn(env);
  const call = ipcApiCall(env, session, `${env.servers.apiOrigin}/items`);
  const fn = async () => succeeded(await call());
  const mem = async (label: string) => { for (let i = 0; i < 3; i++) { (globalThis as any).gc?.(); await new Promise(r => setImmediate(r)); } const m = process.memoryUsage(); const sp = getHeapSpaceStatistics().map(s => `${s.space_name.replace('_space', '')}=${(s.space_size / 1048576).toFixed(1)}/${(s.space_used_size / 1048576).toFixed(1)}`).join(' '); console.log(label.padEnd(6), `rss=${(m.rss / 1048576).toFixed(1)} ext=${(m.external / 1048576).toFixed(1)}`, sp); };
  await mem('start');
  await runConcurrently(10000, 16, fn);
  await mem('warm');
  for (let i = 0; i < 3; i++) { await runConcurrently(10000, 16, fn); await mem(`+${(i + 1) * 10}k`); }
  session.dispose();
} finally { await env.close(); }
process.exit(0);
