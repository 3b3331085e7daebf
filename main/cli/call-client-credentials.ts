/**
 * `call --client-credentials <url> [-X METHOD] [-H 'Name: value']... [-d BODY | -d @file]`: the
 * same request and output contract as `call` (body on stdout, `HTTP <status>` on stderr, exit 1 for
 * a non-2xx answer), with a confidential client's token instead of the signed-in user's. The same
 * origin allow-list, timeout and size cap apply; the token is never printed.
 */
import { type ClientCredentialsDeps, callApiWithClientCredentials } from '../auth/client-credentials';
import type { AppConfig } from '../auth/config';
import { type CallFlags, runCall } from './call';
import type { CliIo } from './io';

export type CallClientCredentialsFlags = CallFlags;

/** @see RFC 6750 §2.1, RFC 6749 §4.4 */
export function callClientCredentialsCommand(
  config: AppConfig,
  url: string | undefined,
  flags: CallClientCredentialsFlags,
  deps: ClientCredentialsDeps & { io: CliIo },
): Promise<number> {
  return runCall(deps.io, url, flags, 'call --client-credentials https://api.example.com/items', (request) =>
    callApiWithClientCredentials(config, deps, request),
  );
}
