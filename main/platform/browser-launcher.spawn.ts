/**
 * BrowserLauncher for plain Node (the CLI): the user's system browser, found the way xdg-open and
 * Python's `webbrowser` find it (RFC 8252 §4: never an embedded view).
 *
 * 1. `$BROWSER`: a `:`-separated list (`;` on Windows) of commands, tried in order. A command with
 *    `%s` gets the URL in place of every `%s`; any other gets it as its last argument.
 * 2. Otherwise the platform opener: `xdg-open` (Linux/BSD), `open` (macOS),
 *    `rundll32 url.dll,FileProtocolHandler` (Windows; unlike `cmd /c start` it does not re-parse
 *    `&` in the URL).
 *
 * Commands are split into words here and started WITHOUT a shell, so nothing in the URL is ever
 * interpreted. The URL (it carries `state`) is never logged.
 *
 * (Named `.spawn`, not `.node`: an import ending in `.node` is resolved as a native addon by Node/tsx.)
 */
import { spawn } from 'node:child_process';
import { AuthError } from '../auth/errors';
import type { BrowserLauncher } from './ports';

export interface NodeBrowserLauncherOptions {
  env?: Record<string, string | undefined>;
  platform?: NodeJS.Platform;
  /**
   * A command still running after this long is taken to have opened the page (browsers stay
   * running; openers exit 0). Default 1.5 s.
   */
  settleMs?: number;
}

/**
 * Creates the {@link BrowserLauncher} that honours `$BROWSER`.
 * @see RFC 8252 §4 and §7.3
 */
export function createNodeBrowserLauncher(options: NodeBrowserLauncherOptions = {}): BrowserLauncher {
  const env = options.env ?? process.env;
  const platform = options.platform ?? process.platform;
  const settleMs = options.settleMs ?? 1500;
  return {
    async open(url) {
      const candidates = browserCommands(url, env, platform);
      const failures: string[] = [];
      for (const argv of candidates) {
        const outcome = await run(argv, settleMs, env);
        if (outcome === 'ok') return;
        failures.push(`${argv[0]}: ${outcome}`);
      }
      throw new AuthError(
        'browser_unavailable',
        `No browser could be opened (${failures.join('; ').slice(0, 300) || 'none configured'}). Open the sign-in link yourself, or set $BROWSER.`,
      );
    },
  };
}

/** The commands to try, each as argv with the URL in place. Exported for tests. */
export function browserCommands(url: string, env: Record<string, string | undefined>, platform: NodeJS.Platform): string[][] {
  const fromEnv = (env.BROWSER ?? '')
    .split(platform === 'win32' ? ';' : ':')
    .map((entry) => splitWords(entry.trim()))
    .filter((words) => words.length > 0)
    .map((words) => (words.some((w) => w.includes('%s')) ? words.map((w) => w.replaceAll('%s', url)) : [...words, url]));
  if (fromEnv.length > 0) return fromEnv;
  if (platform === 'darwin') return [['open', url]];
  if (platform === 'win32') return [['rundll32', 'url.dll,FileProtocolHandler', url]];
  return [['xdg-open', url]];
}

/** POSIX-like word splitting with '…' and "…" quoting and backslash escapes; no expansion at all. */
export function splitWords(command: string): string[] {
  const words: string[] = [];
  let current = '';
  let inWord = false;
  let quote: "'" | '"' | null = null;
  for (let i = 0; i < command.length; i += 1) {
    const c = command[i]!;
    if (quote) {
      if (c === quote) quote = null;
      else if (c === '\\' && quote === '"' && i + 1 < command.length) current += command[++i];
      else current += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < command.length) {
      current += command[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(current);
      current = '';
      inWord = false;
    } else {
      current += c;
      inWord = true;
    }
  }
  if (inWord) words.push(current);
  return words;
}

function run(argv: string[], settleMs: number, env: Record<string, string | undefined>): Promise<'ok' | string> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (outcome: 'ok' | string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const child = spawn(argv[0]!, argv.slice(1), { stdio: 'ignore', detached: true, env: env as NodeJS.ProcessEnv });
    const timer = setTimeout(() => {
      // Still running: a browser (or a wrapper that waits for it). Let it live on without us.
      child.unref();
      finish('ok');
    }, settleMs);
    child.once('error', (error) => finish((error as NodeJS.ErrnoException).code ?? 'failed to start'));
    child.once('exit', (code, signal) => finish(code === 0 ? 'ok' : `exited with ${signal ?? code}`));
  });
}
