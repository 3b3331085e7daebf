/**
 * The demo API (protected resource) for tests: dev-provider/resource-server.ts bound to a bench
 * provider.
 *
 * Public API:
 * - `startTestApi(provider, opts?): Promise<ResourceServer>` — 127.0.0.1:0, trusts `provider`'s
 *   issuer and JWKS, audience `provider.resource`, `/items` needs `api:read`.
 * - re-exports everything of dev-provider/resource-server.ts (`startResourceServer`,
 *   `ResourceServer`, `ResourceServerOptions`, `ResourceEndpointName`).
 *
 * @module
 */
import type { DevProvider } from '../../dev-provider/provider';
import {
  type ResourceServer,
  type ResourceServerOptions,
  startResourceServer,
} from '../../dev-provider/resource-server';

export * from '../../dev-provider/resource-server';

/**
 * Starts the demo API for a bench provider.
 * @see RFC 6750, RFC 9068
 */
export function startTestApi(
  provider: Pick<DevProvider, 'issuer' | 'jwksUri' | 'resource'>,
  opts: Omit<ResourceServerOptions, 'provider'> = {},
): Promise<ResourceServer> {
  return startResourceServer({ provider, port: 0, ...opts });
}
