/**
 * `call <url> [-X METHOD] [-H 'Name: value']... [-d BODY | -d @file]`: a request to an allowed API
 * origin with the signed-in user's access token attached by the core (the token itself is never
 * printed). The response body goes to stdout unchanged (for pipes), `HTTP <status>` to stderr;
 * exit 1 for a non-2xx answer. `call --client-credentials` (call-client-credentials.ts) shares this
 * request and output contract and differs only in where the token comes from.
 */
import { readFile } from 'node:fs/promises';
import { AuthError } from '../auth/errors';
import type { ApiRequest, ApiResponse, SessionService } from '../auth/snapshot';
import { parseHeader } from './args';
import { type CliIo, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, reportFailure } from './io';

export interface CallDeps {
  io: CliIo;
  session: SessionService;
}

export interface CallFlags {
  method?: string;
  header?: string[];
  data?: string;
}

/** @see RFC 6750 §2.1 */
export function callCommand(deps: CallDeps, url: string | undefined, flags: CallFlags): Promise<number> {
  const { session } = deps;
  return runCall(deps.io, url, flags, 'call https://api.example.com/items', async (request) => {
    const restored = await session.restore();
    if (!restored.storage.available) {
      throw new AuthError(
        'storage_unavailable',
        `The keychain is unavailable (${restored.storage.detail ?? 'unknown reason'}), so there is no session to use.`,
      );
    }
    return session.callApi(request);
  });
}

/**
 * Parses the command line into an {@link ApiRequest}, sends it with `send`, prints the answer.
 * Exit 0 for 2xx, 1 for another status or a failure (one line on stderr), 2 for a usage error.
 */
export async function runCall(
  io: CliIo,
  url: string | undefined,
  flags: CallFlags,
  example: string,
  send: (request: ApiRequest) => Promise<ApiResponse>,
): Promise<number> {
  if (!url) {
    io.stderr(`call needs a URL: npm run cli -- ${example}\n`);
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
    const response = await send(request);
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
