import { startBenchEnv } from './env';
import { launchSignedIn } from './stored-session';
import { ipcApiCall, succeeded } from './ipc-call';
const env = await startBenchEnv();
try {
  const { session } = await launchSignedIn(env);
  const call = ipcApiCall(env, session, `${env.servers.apiOrigin}/items`);
  for (let i = 0; i < 15000; i++) if (!succeeded(await call())) throw new Error('x');
  session.dispose();
} finally { await env.close(); }
process.exit(0);
