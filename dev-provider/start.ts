/**
 * Starts the demo authorization server and the demo API for `npm start` and for trying the app by
 * hand, and prints the settings the app needs.
 *
 *   npx tsx dev-provider/start.ts [--provider-port 4400] [--api-port 4401] [--json]
 *
 * Ports default to 4400 / 4401 (env `DEV_PROVIDER_PORT` / `DEV_API_PORT`); when one is taken the
 * OS picks a free one and the printed settings say which. `--json` prints exactly one JSON line on
 * stdout instead of `KEY=value` lines (for scripts; oidc-provider's warnings go to stderr). Runs
 * until Ctrl+C / SIGTERM.
 *
 * Public API (for scripts that start it in-process): `startDemo(opts): Promise<Demo>`,
 * `demoEnv(demo): Record<string, string>`.
 *
 * @module
 */
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { DEMO_ACCOUNTS, type DevProvider, type DevProviderOptions, startDevProvider } from './provider';
import { type ResourceServer, startResourceServer } from './resource-server';

/** Default ports of the demo (fixed so the app's settings survive a restart of the demo). */
export const DEMO_PROVIDER_PORT = 4400;
export const DEMO_API_PORT = 4401;

/** The running demo. */
export interface Demo {
  provider: DevProvider;
  api: ResourceServer;
  close(): Promise<void>;
}

/** Starts provider + API, on the preferred ports when free, else on OS-chosen ones. */
export async function startDemo(
  opts: { providerPort?: number; apiPort?: number; provider?: DevProviderOptions } = {},
): Promise<Demo> {
  const provider = await onPreferredPort(opts.providerPort ?? DEMO_PROVIDER_PORT, (port) =>
    startDevProvider({ ...opts.provider, port }),
  );
  try {
    const api = await onPreferredPort(opts.apiPort ?? DEMO_API_PORT, (port) =>
      startResourceServer({ provider, port }),
    );
    return {
      provider,
      api,
      async close() {
        await api.close();
        await provider.close();
      },
    };
  } catch (err) {
    await provider.close();
    throw err;
  }
}

/**
 * The environment an app needs to use the demo.
 * OAUTH_API_ORIGINS: origins the app may send the access token to (comma-separated).
 */
export function demoEnv(demo: Demo): Record<string, string> {
  return {
    OAUTH_ISSUER: demo.provider.issuer,
    OAUTH_CLIENT_ID: demo.provider.clientId,
    OAUTH_SCOPE: `openid profile email offline_access ${demo.provider.resourceScopes.join(' ')}`,
    OAUTH_RESOURCE: demo.provider.resource,
    OAUTH_API_ORIGINS: demo.api.origin,
    OAUTH_API_URL: `${demo.api.origin}/me`,
  };
}

async function onPreferredPort<T>(port: number, start: (port: number) => Promise<T>): Promise<T> {
  try {
    return await start(port);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || port === 0) throw err;
    return start(0);
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'provider-port': { type: 'string' },
      'api-port': { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const demo = await startDemo({
    providerPort: Number(values['provider-port'] ?? process.env.DEV_PROVIDER_PORT ?? DEMO_PROVIDER_PORT),
    apiPort: Number(values['api-port'] ?? process.env.DEV_API_PORT ?? DEMO_API_PORT),
  });
  const env = demoEnv(demo);
  const wanted = [Number(values['provider-port'] ?? process.env.DEV_PROVIDER_PORT ?? DEMO_PROVIDER_PORT), Number(values['api-port'] ?? process.env.DEV_API_PORT ?? DEMO_API_PORT)];
  if ((wanted[0] !== 0 && demo.provider.port !== wanted[0]) || (wanted[1] !== 0 && demo.api.port !== wanted[1])) {
    console.error(`dev-provider: port ${wanted.join('/')} busy (another demo running?); using ${demo.provider.port}/${demo.api.port}.`);
  }
  if (values.json) {
    console.log(JSON.stringify(env));
  } else {
    console.log(`Demo authorization server: ${demo.provider.issuer}`);
    console.log(`Demo API:                  ${demo.api.origin}/me`);
    console.log(`Accounts: ${DEMO_ACCOUNTS.map((a) => a.id).join(', ')} (any password)`);
    console.log('');
    for (const [key, value] of Object.entries(env)) console.log(`${key}=${value}`);
  }
  const shutdown = () => {
    demo.close().finally(() => process.exit(0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    console.error(`dev-provider: ${(err as Error).message}`);
    process.exit(1);
  });
}
