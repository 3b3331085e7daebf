import { startBenchEnv } from './env';
import { launchSignedIn } from './stored-session';
import { ipcApiCall, succeeded } from './ipc-call';
import { sendApiRequest } from '../main/auth/api-call';
const env = await startBenchEnv();
const body = JSON.stringify({ items: [{ id: 1, title: 'Read RFC 8252' }, { id: 2, title: 'Use PKCE (RFC 7636)' }, { id: 3, title: 'Keep refresh tokens in the OS keychain' }] });
const api = env.servers.apiOrigin;
const canned = () => new Response(body, { status: 200, headers: { 'content-type': 'application/json', 'cache-control': 'no-store', 'content-length': String(body.length) } });
const fake = (input: any, init?: any) => String(input instanceof Request ? input.url : input).startsWith(api) ? Promise.resolve(canned()) : fetch(input, init);
try {
  const { session, accessToken } = await launchSignedIn(env, { fetch: fake });
  const url = `${api}/items`;
  const call = ipcApiCall(env, session, url);
  const variants: Record<string, () => Promise<unknown>> = {
    fakeDirect: async () => (await fake(url, { headers: { authorization: 'Bearer ' + accessToken } })).text(),
    handler: async () => { if (!succeeded(await call())) throw new Error('x'); },
    sessionCall: async () => session.callApi({ url, method: 'GET' }),
    sendOnly: async () => sendApiRequest({ fetch: fake, timeoutMs: 30000, maxResponseBytes: 1 << 20 }, new URL(url), { url, method: 'GET' }, accessToken),
  };
  for (const [name, fn] of Object.entries(variants)) {
    for (let i = 0; i < 20000; i++) await fn();
    const n = 50000; const t = performance.now();
    for (let i = 0; i < n; i++) await fn();
    console.log(name.padEnd(12), ((performance.now() - t) / n * 1000).toFixed(2), 'µs/call');
  }
  session.dispose();
} finally { await env.close(); }
process.exit(0);
