import { startBenchEnv } from './env';
import { launchSignedIn } from './stored-session';
import { ipcApiCall, succeeded } from './ipc-call';
import { median } from './stats';
const env = await startBenchEnv();
const mode = process.argv[2] ?? 'ab';
try {
  const { session, accessToken } = await launchSignedIn(env);
  const url = `${env.servers.apiOrigin}/items`;
  const call = ipcApiCall(env, session, url);
  const a: number[] = [], b: number[] = [];
  const direct = async () => { const r = await fetch(url, { headers: { authorization: `Bearer ${accessToken}` } }); await r.text(); };
  for (let i = 0; i < 6000; i++) {
    let t = performance.now(); if (!succeeded(await call())) throw new Error('x'); a.push(performance.now() - t);
    t = performance.now(); await direct(); b.push(performance.now() - t);
  }
  console.log('proxy p50', median(a.slice(1000)).toFixed(3), 'direct p50', median(b.slice(1000)).toFixed(3));
  session.dispose();
} finally { await env.close(); }
process.exit(0);
