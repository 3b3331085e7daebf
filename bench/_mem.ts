import { startBenchEnv } from './env';
import { launchSignedIn } from './stored-session';
import { ipcApiCall, runConcurrently, succeeded } from './ipc-call';
const env = await startBenchEnv();
const mode = process.argv[2] ?? 'proxy';
try {
  const { session, accessToken } = await launchSignedIn(env);
  const url = `${env.servers.apiOrigin}/items`;
  const call = ipcApiCall(env, session, url);
  const proxy = async () => succeeded(await call());
  const direct = async () => { const r = await fetch(url, { headers: { authorization: `Bearer ${accessToken}` } }); await r.text(); return r.status === 200; };
  const timeoutSig = async () => { const r = await fetch(url, { headers: { authorization: `Bearer ${accessToken}` }, signal: AbortSignal.timeout(30000) }); await r.text(); return r.status === 200; };
  const ctl = async () => { const c = new AbortController(); const t = setTimeout(() => c.abort(), 30000); try { const r = await fetch(url, { headers: { authorization: `Bearer ${accessToken}` }, signal: c.signal }); await r.text(); return r.status === 200; } finally { clearTimeout(t); } };
  const fn = mode === 'direct' ? direct : mode === 'timeout' ? timeoutSig : mode === 'ctl' ? ctl : proxy;
  const mem = async (label: string) => { for (let i = 0; i < 3; i++) { (globalThis as any).gc?.(); await new Promise(r => setImmediate(r)); } const m = process.memoryUsage(); console.log(label, Object.entries(m).map(([k, v]) => `${k}=${(v / 1048576).toFixed(1)}`).join(' ')); };
  await mem('start');
  await runConcurrently(2000, 16, fn);
  await mem('warm');
  for (let i = 0; i < 3; i++) { await runConcurrently(10000, 16, fn); await mem(`after ${(i + 1) * 10}k`); }
  session.dispose();
} finally { await env.close(); }
process.exit(0);
