import { startBenchEnv } from './env';
import { launchSignedIn } from './stored-session';
import { ipcApiCall, succeeded } from './ipc-call';
const env = await startBenchEnv();
const mode = process.argv[2] ?? 'proxy';
try {
  const { session, accessToken } = await launchSignedIn(env);
  const url = `${env.servers.apiOrigin}/items`;
  const call = ipcApiCall(env, session, url);
  const authorization = `Bearer ${accessToken}`;
  const t = performance.now();
  for (let i = 0; i < 20000; i++) {
    if (mode === 'proxy') { if (!succeeded(await call())) throw new Error('x'); }
    else { const r = await fetch(url, { headers: { authorization } }); await r.text(); }
  }
  console.log(mode, ((performance.now() - t) / 20000 * 1000).toFixed(1), 'µs/call');
  session.dispose();
} finally { await env.close(); }
process.exit(0);
