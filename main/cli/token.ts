/**
 * `token --client-credentials [--json | --raw]`: an access token for a confidential client
 * (RFC 6749 §4.4), for server-to-server scripts. The secret comes from OAUTH_CLIENT_SECRET or the
 * keychain (`client-secret set`), never from the command line.
 *
 * By default nothing secret is printed: when the token expires, its scopes, and whether it came
 * from the cache. `--raw` writes the bare token to stdout for a pipe (`TOKEN=$(… --raw)`), and is
 * refused when stdout is a terminal, where it would stay in the scrollback.
 */
import { type ClientCredentialsDeps, createClientCredentialsClient } from '../auth/client-credentials';
import type { AppConfig } from '../auth/config';
import { systemClock } from '../platform/ports';
import { type CliIo, describeExpiry, EXIT_OK, EXIT_USAGE, reportFailure } from './io';

export interface TokenCommandFlags {
  /** Required: the only kind of token this command hands out. */
  clientCredentials: boolean;
  json?: boolean;
  raw?: boolean;
  /** Scopes to request (default: the configured scopes minus openid/profile/email/offline_access). */
  scopes?: string[];
  /** Skip the caches and ask the provider. */
  forceNew?: boolean;
}

export interface TokenCommandDeps extends ClientCredentialsDeps {
  io: CliIo;
  /** Whether stdout is a terminal (`process.stdout.isTTY`). */
  stdoutIsTerminal: boolean;
}

/**
 * Exit 0 with a token; 1 when the provider or keychain failed; 2 for usage mistakes (no
 * `--client-credentials`, `--raw` to a terminal, no secret configured).
 *
 * @see RFC 6749 §4.4
 */
export async function tokenCommand(config: AppConfig, flags: TokenCommandFlags, deps: TokenCommandDeps): Promise<number> {
  const { io } = deps;
  if (!flags.clientCredentials) {
    io.stderr(
      'token needs --client-credentials (a confidential client\'s token for scripts). The signed-in user\'s tokens are ' +
        'never printed; use `call` to reach an API with them.\n',
    );
    return EXIT_USAGE;
  }
  if (flags.raw && flags.json) {
    io.stderr('Use either --raw or --json, not both.\n');
    return EXIT_USAGE;
  }
  if (flags.raw && deps.stdoutIsTerminal) {
    io.stderr('--raw writes the access token for a pipe or a variable (TOKEN=$(npm run -s cli -- token --client-credentials --raw)); refusing to print it on a terminal.\n');
    return EXIT_USAGE;
  }
  try {
    const client = createClientCredentialsClient(config, deps, flags.scopes ? { scopes: flags.scopes } : {});
    const token = await client.getToken({ forceNew: flags.forceNew });
    if (flags.raw) {
      io.stdout(`${token.accessToken}\n`);
    } else if (flags.json) {
      io.stdout(
        `${JSON.stringify({ issuer: config.issuer, clientId: config.clientId, expiresAt: token.expiresAt, scopes: token.scopes, source: token.source }, null, 2)}\n`,
      );
    } else {
      const now = (deps.clock ?? systemClock).now();
      const expiry = token.expiresAt === null ? 'an unknown time (not cached)' : describeExpiry(token.expiresAt, now);
      const from = token.source === 'provider' ? 'new from the provider' : `from the ${token.source} cache`;
      io.stdout(
        `Access token for ${config.clientId} (client credentials), ${from}; expires at ${expiry}; scope: ${token.scopes.join(' ') || '(provider default)'}.\n`,
      );
    }
    return EXIT_OK;
  } catch (error) {
    return reportFailure(io, error);
  }
}
