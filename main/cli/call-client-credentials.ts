/**
 * `call --client-credentials <url> [-X METHOD] [-H 'Name: value']... [-d BODY | -d @file]`: the
 * same request and output contract as `call` (body on stdout, `HTTP <status>` on stderr, exit 1 for
 * a non-2xx answer), with a confidential client's token instead of the signed-in user's. The same
 * origin allow-list, timeout and size cap apply; the token is never printed.
 */
import { readFile } from 'node:fs/promises';
import { type ClientCredentialsDeps, callApiWithClientCredentials } from '../auth/client-credentials';
import type { AppConfig } from '../auth/config';
import { AuthError } from '../auth/errors';
import type { ApiRequest } from '../auth/snapshot';
import { parseHeader } from './args';
import { type CliIo, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, reportFailure } from './io';

export interface CallClientCredentialsFlags {
  method?: string;
  header?: string[];
  data?: string;
}

/** @see RFC 6750 §2.1, RFC 6749 §4.4 */
export async function callClientCredentialsCommand(
  config: AppConfig,
  url: string | undefined,
  flags: CallClientCredentialsFlags,
  deps: ClientCredentialsDeps & { io: CliIo },
): Promise<number> {
  const { io } = deps;
  if (!url) {
    io.stderr('call needs a URL: npm run cli -- call --client-credentials https://api.example.com/items\n');
    return EXIT_USAGE;
  }
  const headers: Record<string, string> = {};
  for (const text of flags.header ?? []) {
    const parsed = parseHeader(text);
    if (!parsed) {
      io.stderr("A --header must look like 'Name: value'.\n");
      return EXIT_USAGE;
    }
    headers[parsed[0]] = parsed[1];
  }
  try {
    const request: ApiRequest = { url, method: flags.method ?? (flags.data !== undefined ? 'POST' : 'GET'), headers };
    if (flags.data !== undefined) request.body = await readBody(flags.data);
    const response = await callApiWithClientCredentials(config, deps, request);
    io.stdout(response.body);
    io.stderr(`${response.body && !response.body.endsWith('\n') ? '\n' : ''}HTTP ${response.status}\n`);
    return response.status >= 200 && response.status < 300 ? EXIT_OK : EXIT_FAILURE;
  } catch (error) {
    return reportFailure(io, error);
  }
}

/** `-d @file` reads the body from a file, like curl; anything else is the body itself. */
async function readBody(data: string): Promise<string> {
  if (!data.startsWith('@')) return data;
  try {
    return await readFile(data.slice(1), 'utf8');
  } catch (error) {
    throw new AuthError('config_invalid', `The --data file could not be read (${(error as NodeJS.ErrnoException).code ?? 'error'}).`, {
      cause: error,
    });
  }
}
