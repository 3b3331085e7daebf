/**
 * The bench authorization server for tests: dev-provider/provider.ts with test defaults.
 *
 * Public API:
 * - `startTestProvider(opts?: DevProviderOptions): Promise<DevProvider>` — 127.0.0.1:0, the public
 *   native client `oauth-desktop`, access/ID tokens valid 300 s (override with `opts.ttl`).
 * - re-exports everything of dev-provider/provider.ts (`startDevProvider`, `DevProvider`,
 *   `DevProviderOptions`, `Fault`, `DEFAULT_CLIENT_ID`, `DEMO_API_RESOURCE`, `DEMO_API_SCOPES`,
 *   `LOOPBACK_REDIRECT_URIS`, `CLI_CLIENT`, `WEB_CLIENT`, `NO_DEVICE_CLIENT`, `DEMO_ACCOUNTS`, …).
 *
 * Always `await provider.close()` in `afterEach`/`afterAll`.
 *
 * @module
 */
import { type DevProvider, type DevProviderOptions, startDevProvider } from '../../dev-provider/provider';

export * from '../../dev-provider/provider';

/** Lifetimes tests start from: long enough for a slow CI machine, short enough to notice. */
export const TEST_TTL = { accessToken: 300, idToken: 300 } as const;

/**
 * Starts a bench provider on an OS-chosen port with test defaults.
 * @see dev-provider/README.md
 */
export function startTestProvider(opts: DevProviderOptions = {}): Promise<DevProvider> {
  return startDevProvider({ ...opts, port: opts.port ?? 0, ttl: { ...TEST_TTL, ...opts.ttl } });
}
