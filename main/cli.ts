/**
 * The terminal front door: `npm run cli -- <command>` (runs with tsx, no build step). The
 * composition root for the CLI — it builds the real adapters (keychain, settings file, lock files,
 * system browser, timers) and hands them to the same core the app uses; each command is a plain
 * function in main/cli/. No logic of its own beyond wiring, Ctrl-C and exit codes.
 *
 * Exit status: 0 success, 1 failure with a one-line reason on stderr, 2 usage/configuration error.
 * Nothing printed ever contains a token, code, verifier, state or nonce (CHECKLIST T4) — except
 * the authorization link `login --no-browser` exists to show.
 */
import { existsSync, realpathSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type AppConfig, defaultConfigFile, defaultUserDataDir, loadConfig } from './auth/config';
import { refuseSecretArguments } from './auth/client-credentials';
import { createSession } from './auth/session';
import { COMMANDS, type ParsedValues, parseCommandLine, USAGE } from './cli/args';
import { callCommand } from './cli/call';
import { callClientCredentialsCommand } from './cli/call-client-credentials';
import { clientSecretCommand, readSecretFromStdin } from './cli/client-secret';
import { deviceLoginCommand } from './cli/device-login';
import { doctorCommand } from './cli/doctor';
import { type CliIo, EXIT_OK, EXIT_USAGE, reportFailure } from './cli/io';
import { cliBrowserLauncher, loginCommand } from './cli/login';
import { logoutCommand } from './cli/logout';
import { statusCommand } from './cli/status';
import { tokenCommand } from './cli/token';
import { createNodeBrowserLauncher } from './platform/browser-launcher.spawn';
import { type Logger, silentLogger, systemClock } from './platform/ports';
import { createFsRefreshLock } from './platform/refresh-lock.fs';
import { createKeytarSecretStore } from './platform/secret-store.keytar';
import { createConfSettingsStore } from './platform/settings.conf';
import { createNodeWakeSignals } from './platform/wake-signals.timer';

/** What the CLI needs from its process (tests may pass their own). */
export interface CliProcess {
  argv: readonly string[];
  env: Record<string, string | undefined>;
  io: CliIo;
  /** Aborted on Ctrl-C. */
  signal: AbortSignal;
  stdin: NodeJS.ReadStream;
  stdoutIsTerminal: boolean;
}

/**
 * Runs one command and resolves with its exit status.
 * @see README.md "## CLI"
 */
export async function runCli(proc: CliProcess): Promise<number> {
  const { io, env } = proc;
  // Before parsing, so the answer is the reason (shell history, process list), not "unknown option".
  try {
    refuseSecretArguments(proc.argv);
  } catch (error) {
    return reportFailure(io, error);
  }
  const parsed = parseCommandLine(proc.argv);
  if (!parsed.ok) {
    io.stderr(`${parsed.message} Run \`npm run cli -- help\` for usage.\n`);
    return EXIT_USAGE;
  }
  const { command, values, positionals } = parsed;
  if (command === 'help' || values.help) {
    io.stdout(USAGE);
    return EXIT_OK;
  }

  let config: AppConfig;
  try {
    if (values.config !== undefined && !existsSync(values.config)) {
      io.stderr(`The config file ${values.config} does not exist.\n`);
      return EXIT_USAGE;
    }
    config = loadConfig({ flags: parsed.configFlags, env, file: values.config ?? defaultConfigFile(env) });
  } catch (error) {
    return reportFailure(io, error);
  }

  const logger = values.verbose ? stderrLogger(io) : silentLogger;
  const userData = defaultUserDataDir(env);
  const settings = createConfSettingsStore({ dir: userData, logger });
  const secrets = createKeytarSecretStore();
  const clock = systemClock;

  switch (command) {
    case 'login':
      if (values.device) {
        return withSession(proc, config, values, logger, userData, settings, secrets, (session) =>
          deviceLoginCommand({ io, config, session, clock, signal: proc.signal }),
          { refreshOnRestore: false },
        );
      }
      // No renewal of a previous session first: the new sign-in replaces it.
      return withSession(proc, config, values, logger, userData, settings, secrets, (session) => loginCommand({ io, session, signal: proc.signal }), {
        refreshOnRestore: false,
      });
    case 'status':
      return withSession(proc, config, values, logger, userData, settings, secrets, (session) =>
        statusCommand({ io, session, config, now: clock.now }, { json: values.json }),
      );
    case 'call':
      if (positionals.length > 1) {
        io.stderr('call takes one URL.\n');
        return EXIT_USAGE;
      }
      if (values['client-credentials']) {
        return callClientCredentialsCommand(
          config,
          positionals[0],
          { method: values.method, header: values.header, data: values.data },
          { io, fetch: globalThis.fetch, secrets, settings, env, clock, logger },
        );
      }
      return withSession(proc, config, values, logger, userData, settings, secrets, (session) =>
        callCommand({ io, session }, positionals[0], { method: values.method, header: values.header, data: values.data }),
      );
    case 'logout':
      return withSession(proc, config, values, logger, userData, settings, secrets, (session) => logoutCommand({ io, session }), {
        refreshOnRestore: false,
      });
    case 'doctor':
      return doctorCommand(config, { json: values.json }, { io, fetch: globalThis.fetch });
    case 'token':
      return tokenCommand(
        config,
        { clientCredentials: values['client-credentials'] === true, json: values.json, raw: values.raw, forceNew: values['force-new'] },
        { io, fetch: globalThis.fetch, secrets, settings, env, clock, logger, stdoutIsTerminal: proc.stdoutIsTerminal },
      );
    case 'client-secret': {
      const action = positionals[0];
      if ((action !== 'set' && action !== 'delete') || positionals.length > 1) {
        io.stderr('client-secret needs "set" (reads the secret from stdin) or "delete".\n');
        return EXIT_USAGE;
      }
      return clientSecretCommand(config, action, {
        io,
        secrets,
        readSecret: () => readSecretFromStdin(proc.stdin, (text) => io.stderr(text)),
      });
    }
  }
  io.stderr(`Unknown command. Commands: ${COMMANDS.join(', ')}\n`);
  return EXIT_USAGE;
}

/** Builds the session service on the real adapters, runs `fn`, and disposes it. */
async function withSession(
  proc: CliProcess,
  config: AppConfig,
  values: ParsedValues,
  logger: Logger,
  userData: string,
  settings: ReturnType<typeof createConfSettingsStore>,
  secrets: ReturnType<typeof createKeytarSecretStore>,
  fn: (session: ReturnType<typeof createSession>) => Promise<number>,
  tunables: { refreshOnRestore?: boolean } = {},
): Promise<number> {
  const session = createSession({
    config,
    fetch: globalThis.fetch,
    secretStore: secrets,
    settings,
    browser: cliBrowserLauncher(createNodeBrowserLauncher({ env: proc.env }), proc.io, values['no-browser'] === true),
    clock: systemClock,
    wakeSignals: createNodeWakeSignals(),
    refreshLock: createFsRefreshLock({ dir: join(userData, 'locks') }),
    logger,
    tunables,
  });
  try {
    return await fn(session);
  } finally {
    session.dispose();
  }
}

function stderrLogger(io: CliIo): Logger {
  const line = (level: string) => (message: string, fields?: Record<string, string | number | boolean | null>) =>
    io.stderr(`${level}: ${message}${fields && Object.keys(fields).length ? ` ${JSON.stringify(fields)}` : ''}\n`);
  return { info: line('info'), warn: line('warn'), error: line('error') };
}

/** Entry point: wires the real process, Ctrl-C, and the exit status. */
async function main(): Promise<void> {
  const controller = new AbortController();
  let interrupts = 0;
  process.on('SIGINT', () => {
    interrupts += 1;
    // First Ctrl-C cancels cleanly (the listener closes, nothing is stored); a second one insists.
    if (interrupts > 1) process.exit(130);
    controller.abort();
  });
  const code = await runCli({
    argv: process.argv.slice(2),
    env: process.env,
    io: { stdout: (text) => void process.stdout.write(text), stderr: (text) => void process.stderr.write(text) },
    signal: controller.signal,
    stdin: process.stdin,
    stdoutIsTerminal: process.stdout.isTTY === true,
  });
  // Let piped output drain, then exit even if a keep-alive socket or a detached browser lingers.
  await new Promise<void>((done) => process.stdout.write('', () => done()));
  await new Promise<void>((done) => process.stderr.write('', () => done()));
  process.exit(code);
}

function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(resolve(script))).href;
  } catch {
    return false;
  }
}

if (isEntryPoint()) void main();
