import { startBenchEnv } from './env';
import { launchSignedIn } from './stored-session';
import { ipcApiCall, succeeded } from './ipc-call';
import { median } from './stats';
import type { SessionService } from '../main/auth/snapshot';
const env = await startBenchEnv();
try {
  const { session } = await launchSignedIn(env);
  const url = `${env.servers.apiOrigin}/items`;
  let t1 = 0, t2 = 0;
  const wrapped: SessionService = Object.create(session);
  wrapped.callApi = async (r) => { t1 = performance.now(); const res = await session.callApi(r); t2 = performance.now(); return res; };
  const call = ipcApiCall(env, wrapped, url);
  const pre: number[] = [], inner: number[] = [], post: number[] = [], total: number[] = [];
  for (let i = 0; i < 6000; i++) {
    const t0 = performance.now(); const r = await call(); const t3 = performance.now();
    if (!succeeded(r)) throw new Error('x');
    if (i < 500) continue;
    pre.push(t1 - t0); inner.push(t2 - t1); post.push(t3 - t2); total.push(t3 - t0);
  }
  console.log('pre', (median(pre) * 1000).toFixed(1), 'µs; inner', (median(inner) * 1000).toFixed(1), 'µs; post', (median(post) * 1000).toFixed(1), 'µs; total', (median(total) * 1000).toFixed(1));
  session.dispose();
} finally { await env.close(); }
process.exit(0);
