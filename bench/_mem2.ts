import { startBenchEnv } from './env';
import { launchSignedIn } from './stored-session';
import { ipcApiCall, runConcurrently, succeeded } from './ipc-call';
import { measureRefreshConcurrency } from './refresh-concurrency';
import { measureProxyCall } from './proxy-call';
const env = await startBenchEnv();
const pre = process.argv[2] ?? '';
const conc = Number(process.argv[3] ?? 16);
try {
  if (pre.includes('signin')) await (await import('./signin-overhead')).measureSignInOverhead(env, { repetitions: 15, warmup: 2 });
  if (pre.includes('restore')) await (await import('./launch-restore')).measureLaunchRestore(env, { repetitions: 60, warmup: 5 });
  if (pre.includes('lrefresh')) await (await import('./launch-refresh')).measureLaunchRefresh(env, { repetitions: 30, warmup: 3 });
  if (pre.includes('proxy')) await measureProxyCall(env, { repetitions: 2000, warmup: 200, throughputCalls: 2000, concurrency: 16 });
  if (pre.includes('conc')) await measureRefreshConcurrency(env, { calls: 1000, runs: 3 });
  const { session } = await launchSignedIn(env);
  const call = ipcApiCall(env, session, `${env.servers.apiOrigin}/items`);
  const fn = async () => succeeded(await call());
  const mem = async (label: string) => { for (let i = 0; i < 3; i++) { (globalThis as any).gc?.(); await new Promise(r => setImmediate(r)); } const m = process.memoryUsage(); console.log(label.padEnd(10), Object.entries(m).map(([k, v]) => `${k}=${(v / 1048576).toFixed(1)}`).join(' ')); };
  await mem('start');
  await runConcurrently(2000, conc, fn);
  await mem('warm');
  for (let i = 0; i < 8; i++) { await runConcurrently(2500, conc, fn); await mem(`+${(i + 1) * 2.5}k`); }
  session.dispose();
} finally { await env.close(); }
process.exit(0);
