import { startBenchEnv } from './env';
import { launchSignedIn } from './stored-session';
import { ipcApiCall, succeeded } from './ipc-call';
import { median } from './stats';
import { sendApiRequest } from '../main/auth/api-call';
const env = await startBenchEnv();
try {
  const { session, accessToken } = await launchSignedIn(env);
  const url = `${env.servers.apiOrigin}/items`;
  const call = ipcApiCall(env, session, url);
  const headers = { authorization: `Bearer ${accessToken}` };
  const readLoop = async (r: Response) => { const reader = r.body!.getReader(); const chunks: Uint8Array[] = []; for (;;) { const { done, value } = await reader.read(); if (done) break; chunks.push(value); } return Buffer.concat(chunks).toString('utf8'); };
  const variants: Record<string, () => Promise<unknown>> = {
    direct: async () => (await fetch(url, { headers })).text(),
    proxy: async () => { if (!succeeded(await call())) throw new Error('x'); },
    sessionCall: async () => { const r = await session.callApi({ url, method: 'GET' }); if (r.status !== 200) throw new Error('y'); },
    sendOnly: async () => sendApiRequest({ fetch: globalThis.fetch, timeoutMs: 30000, maxResponseBytes: 1 << 20 }, new URL(url), { url, method: 'GET' }, accessToken),
    timeoutSignal: async () => (await fetch(url, { headers, signal: AbortSignal.timeout(30000) })).text(),
    ctlSignal: async () => { const c = new AbortController(); const t = setTimeout(() => c.abort(), 30000); try { return await (await fetch(url, { headers, signal: c.signal })).text(); } finally { clearTimeout(t); } },
    timeoutReader: async () => readLoop(await fetch(url, { headers, signal: AbortSignal.timeout(30000), redirect: 'manual' })),
    readerLoop: async () => readLoop(await fetch(url, { headers })),
    manualRedirect: async () => (await fetch(url, { headers, redirect: 'manual' })).text(),
    headersObj: async () => { const h = new Headers(); h.set('authorization', headers.authorization); return (await fetch(url, { headers: h, method: 'GET' })).text(); },
  };
  const names = (process.argv[2] ?? Object.keys(variants).join(',')).split(',');
  const samples: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let i = 0; i < Number(process.argv[3] ?? 3500); i++) {
    const order = i % 2 ? names : [...names].reverse();
    for (const n of order) { const t = performance.now(); await variants[n]!(); samples[n]!.push(performance.now() - t); }
  }
  for (const n of names) { const x = samples[n]!.slice(500).sort((a, b) => a - b); const trim = x.slice(Math.floor(x.length * 0.1), Math.floor(x.length * 0.9)); console.log(n.padEnd(16), 'p50', median(x).toFixed(4), 'p25', x[Math.floor(x.length / 4)]!.toFixed(4), 'trimmed mean', (trim.reduce((a, b) => a + b, 0) / trim.length).toFixed(4)); }
  session.dispose();
} finally { await env.close(); }
process.exit(0);
