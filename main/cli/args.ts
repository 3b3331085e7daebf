/**
 * Command-line parsing for `npm run cli -- <command> [flags]`: one table of flags, every
 * configuration flag (main/auth/config.ts) accepted by every command, and usage errors as values
 * (exit 2), never exceptions with stack traces.
 */
import { parseArgs } from 'node:util';
import type { ConfigKey } from '../auth/config';

/** The commands, in the order the usage text lists them. */
export const COMMANDS = ['login', 'status', 'call', 'logout', 'doctor', 'token', 'client-secret', 'help'] as const;
export type Command = (typeof COMMANDS)[number];

/** Configuration flags (kebab-case on the command line) → config keys. */
export const CONFIG_FLAGS: Record<string, ConfigKey> = {
  issuer: 'issuer',
  'client-id': 'clientId',
  scope: 'scope',
  resource: 'resource',
  'api-origins': 'apiOrigins',
  'redirect-host': 'redirectHost',
  'redirect-path': 'redirectPath',
  'redirect-port': 'redirectPort',
  'keychain-service': 'keychainService',
  'device-flow': 'deviceFlow',
  'logout-in-browser': 'logoutInBrowser',
};

const OPTIONS = {
  // configuration (every command)
  issuer: { type: 'string' },
  'client-id': { type: 'string' },
  scope: { type: 'string' },
  resource: { type: 'string', multiple: true },
  'api-origins': { type: 'string', multiple: true },
  'redirect-host': { type: 'string' },
  'redirect-path': { type: 'string' },
  'redirect-port': { type: 'string' },
  'keychain-service': { type: 'string' },
  'device-flow': { type: 'boolean' },
  'logout-in-browser': { type: 'boolean' },
  config: { type: 'string' },
  verbose: { type: 'boolean', short: 'v' },
  help: { type: 'boolean', short: 'h' },
  // login
  'no-browser': { type: 'boolean' },
  device: { type: 'boolean' },
  // status, doctor, token
  json: { type: 'boolean' },
  // call
  method: { type: 'string', short: 'X' },
  header: { type: 'string', multiple: true, short: 'H' },
  data: { type: 'string', short: 'd' },
  // token
  'client-credentials': { type: 'boolean' },
  raw: { type: 'boolean' },
  'force-new': { type: 'boolean' },
} as const;

/** Which command-specific flags each command takes (configuration flags are always allowed). */
const COMMAND_FLAGS: Record<Command, readonly string[]> = {
  login: ['no-browser', 'device'],
  status: ['json'],
  call: ['method', 'header', 'data', 'client-credentials'],
  logout: [],
  doctor: ['json'],
  token: ['client-credentials', 'json', 'raw', 'force-new'],
  'client-secret': [],
  help: [],
};

export type ParsedValues = {
  [K in keyof typeof OPTIONS]?: (typeof OPTIONS)[K] extends { multiple: true }
    ? string[]
    : (typeof OPTIONS)[K]['type'] extends 'boolean'
      ? boolean
      : string;
};

/** A parsed command line, or the reason it is not one. */
export type ParsedCommandLine =
  | { ok: true; command: Command; positionals: string[]; values: ParsedValues; configFlags: Partial<Record<ConfigKey, string | boolean>> }
  | { ok: false; message: string };

/** Parses argv (without `node` and the script). */
export function parseCommandLine(argv: readonly string[]): ParsedCommandLine {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true; strict: true; args: string[] }>>;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    // parseArgs' messages name the flag, never a value: safe to show.
    return { ok: false, message: (error as Error).message.split('\n')[0]! };
  }
  const values = parsed.values as ParsedValues;
  const [first, ...positionals] = parsed.positionals;
  if (first === undefined) return values.help ? { ok: true, command: 'help', positionals: [], values, configFlags: {} } : { ok: false, message: 'No command given.' };
  if (!(COMMANDS as readonly string[]).includes(first)) return { ok: false, message: `Unknown command "${first.slice(0, 40)}".` };
  const command = first as Command;

  const allowed = new Set([...COMMAND_FLAGS[command], ...Object.keys(CONFIG_FLAGS), 'config', 'verbose', 'help']);
  for (const name of Object.keys(values)) {
    if (!allowed.has(name)) return { ok: false, message: `The option --${name} does not apply to "${command}".` };
  }

  const configFlags: Partial<Record<ConfigKey, string | boolean>> = {};
  for (const [flag, key] of Object.entries(CONFIG_FLAGS)) {
    const value = values[flag as keyof ParsedValues];
    if (value === undefined) continue;
    // Repeatable list flags join with the separator config.ts splits on.
    configFlags[key] = Array.isArray(value) ? value.join(key === 'apiOrigins' ? ',' : ' ') : value;
  }
  return { ok: true, command, positionals, values, configFlags };
}

/**
 * Parses `--header 'Name: value'`. Returns null for a malformed header (no colon, bad name).
 * @see RFC 9110 §5.1
 */
export function parseHeader(text: string): [name: string, value: string] | null {
  const colon = text.indexOf(':');
  if (colon <= 0) return null;
  const name = text.slice(0, colon).trim();
  const value = text.slice(colon + 1).trim();
  if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name) || /[\r\n\0]/.test(value)) return null;
  return [name, value];
}

/** The usage text (`help`, `--help`, and after a usage error). */
export const USAGE = `Usage: npm run cli -- <command> [options]

Commands:
  login [--no-browser | --device]   Sign in through the system browser ($BROWSER honoured), or print the
                                    link (--no-browser), or with a code on another device (--device)
  status [--json]                   Who is signed in, token expiry, scopes, keychain state
  call <url> [-X METHOD] [-H 'Name: value']... [-d BODY | -d @file] [--client-credentials]
                                    Call an allowed API origin with the access token; body on stdout,
                                    status on stderr; exit 1 for a non-2xx answer (--client-credentials:
                                    with a confidential client's token instead of the user's)
  logout                            Revoke the refresh token, delete the keychain entry, report each step
  doctor [--json]                   Check the provider registration for native-app sign-in
  token --client-credentials [--json | --raw] [--force-new]
                                    A confidential client's token for scripts (never the user's)
  client-secret set | delete        Keep a confidential client's secret in the keychain (read from stdin)

Configuration (every command; flags > environment > config file):
  --issuer URL            OAUTH_ISSUER            --client-id ID        OAUTH_CLIENT_ID
  --scope "A B"           OAUTH_SCOPE             --resource URI        OAUTH_RESOURCE (repeatable)
  --api-origins URL,...   OAUTH_API_ORIGINS       --redirect-host HOST  OAUTH_REDIRECT_HOST
  --redirect-path PATH    OAUTH_REDIRECT_PATH     --redirect-port N     OAUTH_REDIRECT_PORT
  --keychain-service S    OAUTH_KEYCHAIN_SERVICE  --device-flow         OAUTH_DEVICE_FLOW
  --logout-in-browser     OAUTH_LOGOUT_IN_BROWSER --config FILE         (default <user data>/config.json)
  -v, --verbose           diagnostics on stderr (never tokens)

Exit status: 0 success, 1 failure (one-line reason on stderr), 2 usage or configuration error.
`;
