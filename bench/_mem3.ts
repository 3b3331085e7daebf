import { startBenchEnv } from './env';
import { launchSignedIn } from './stored-session';
import { ipcApiCall, runConcurrently, succeeded } from './ipc-call';
const env = await startBenchEnv();
const conc = Number(process.argv[2] ?? 16);
const warmN = Number(process.argv[3] ?? 2000);
try {
  const { session } = await launchSignedIn(env);
  const call = ipcApiCall(env, session, `${env.servers.apiOrigin}/items`);
  const fn = async () => succeeded(await call());
  const mem = async (label: string) => { for (let i = 0; i < 3; i++) { (globalThis as any).gc?.(); await new Promise(r => setImmediate(r)); } const m = process.memoryUsage(); console.log(label.padEnd(10), Object.entries(m).map(([k, v]) => `${k}=${(v / 1048576).toFixed(1)}`).join(' ')); };
  await mem('start');
  await runConcurrently(warmN, conc, fn);
  await mem('warm');
  for (let i = 0; i < 3; i++) { await runConcurrently(10000, conc, fn); await mem(`+${(i + 1) * 10}k`); }
  session.dispose();
} finally { await env.close(); }
process.exit(0);
