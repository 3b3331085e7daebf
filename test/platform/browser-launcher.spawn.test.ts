/**
 * The CLI's system-browser launcher: $BROWSER as xdg-open and Python's webbrowser read it (the URL
 * as last argument or in place of %s; a list tried in order), started without a shell so nothing in
 * the URL is interpreted; `browser_unavailable` when nothing starts (CHECKLIST L21 then prints it).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { browserCommands, createNodeBrowserLauncher, splitWords } from '../../main/platform/browser-launcher.spawn';

const URL_WITH_SHELL_CHARS = 'http://127.0.0.1:1/auth?a=1&b=$(touch /tmp/pwned)&c=`x`;d';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'oauth-desktop-browser-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('$BROWSER', () => {
  it('passes the URL as the last argument, or in place of %s, for each entry of the list', () => {
    expect(browserCommands('U', { BROWSER: 'firefox' }, 'linux')).toEqual([['firefox', 'U']]);
    expect(browserCommands('U', { BROWSER: 'chromium --new-window %s --x' }, 'linux')).toEqual([['chromium', '--new-window', 'U', '--x']]);
    expect(browserCommands('U', { BROWSER: 'a:b %s' }, 'linux')).toEqual([['a', 'U'], ['b', 'U']]);
    expect(browserCommands('U', { BROWSER: "'/opt/My Browser/run' --flag" }, 'linux')).toEqual([['/opt/My Browser/run', '--flag', 'U']]);
  });

  it('falls back to the platform opener', () => {
    expect(browserCommands('U', {}, 'linux')).toEqual([['xdg-open', 'U']]);
    expect(browserCommands('U', {}, 'darwin')).toEqual([['open', 'U']]);
    expect(browserCommands('U', {}, 'win32')).toEqual([['rundll32', 'url.dll,FileProtocolHandler', 'U']]);
  });

  it('splits words like a shell without expanding anything', () => {
    expect(splitWords(`a "b c" 'd e' f\\ g $HOME`)).toEqual(['a', 'b c', 'd e', 'f g', '$HOME']);
  });

  it('runs the command without a shell: the URL arrives byte for byte, nothing in it is executed', async () => {
    const script = join(dir, 'browser.sh');
    const out = join(dir, 'out.txt');
    await writeFile(script, `printf '%s' "$1" > "${out}"\n`);
    const launcher = createNodeBrowserLauncher({ env: { BROWSER: `sh ${script}`, PATH: process.env.PATH }, settleMs: 2_000 });
    await launcher.open(URL_WITH_SHELL_CHARS);
    expect(await readFile(out, 'utf8')).toBe(URL_WITH_SHELL_CHARS);
  });

  it('tries the next entry when one is missing or fails, and rejects with browser_unavailable when none works', async () => {
    const out = join(dir, 'second.txt');
    const script = join(dir, 'ok.sh');
    await writeFile(script, `printf '%s' "$1" > "${out}"\n`);
    const env = { BROWSER: `/nonexistent/browser:sh -c 'exit 3':sh ${script}`, PATH: process.env.PATH };
    await createNodeBrowserLauncher({ env, settleMs: 2_000 }).open('http://127.0.0.1:1/x');
    expect(await readFile(out, 'utf8')).toBe('http://127.0.0.1:1/x');

    const none = createNodeBrowserLauncher({ env: { BROWSER: '/nonexistent/a:/nonexistent/b', PATH: process.env.PATH } });
    await expect(none.open('http://127.0.0.1:1/secret-state')).rejects.toMatchObject({ code: 'browser_unavailable' });
    await none.open('http://127.0.0.1:1/secret-state').catch((e: Error) => expect(e.message).not.toContain('secret-state'));
  });
});
