/**
 * The built bundles load where they will run: dist/main/index.js as an ES module in Node (Electron
 * 45's main process) with bundled CommonJS dependencies, and dist/preload/index.cjs in a sandbox
 * that can `require` nothing but `electron` (a sandboxed preload). Electron is replaced by a tiny
 * fake at the module-resolution level: the binary cannot run here.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import vm from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');
let out: string;

beforeAll(() => {
  out = mkdtempSync(join(tmpdir(), 'bundle-'));
  execFileSync(process.execPath, [join(root, 'scripts/build.mjs'), '--only', 'main,preload', '--out', out], { cwd: root, stdio: 'pipe' });
});
afterAll(() => rmSync(out, { recursive: true, force: true }));

/** Runs dist/main/index.js in Node with `electron` resolved to `fakeSource`; returns stdout. */
function runMainWithFakeElectron(fakeSource: string, env: Record<string, string>): string {
  const fakeElectron = join(out, `fake-electron-${Math.random().toString(36).slice(2)}.mjs`);
  writeFileSync(fakeElectron, fakeSource);
  const hooks = `${fakeElectron}.hooks.mjs`;
  writeFileSync(
    hooks,
    `export async function resolve(specifier, context, next) {
      if (specifier === 'electron') return { url: ${JSON.stringify(pathToFileURL(fakeElectron).href)}, shortCircuit: true };
      return next(specifier, context);
    }`,
  );
  const register = `${fakeElectron}.register.mjs`;
  writeFileSync(register, `import { register } from 'node:module'; register(${JSON.stringify(pathToFileURL(hooks).href)});`);
  return execFileSync(process.execPath, ['--import', pathToFileURL(register).href, join(out, 'main/index.js')], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, XDG_CONFIG_HOME: out, ...env },
    timeout: 20_000,
  });
}

const FAKE_COMMON = `
  const log = (line) => process.stdout.write(line + '\\n');
  const on = () => {};
  const paths = new Map();
  export const protocol = {
    registerSchemesAsPrivileged: (s) => log('SCHEME ' + s.map((x) => x.scheme).join(',')),
    handle: (scheme) => log('PROTOCOL ' + scheme),
  };
  const handled = [];
  export const ipcMain = { handle: (c) => handled.push(c), removeHandler: on, on };
  export const clipboard = { writeText: on }, dialog = { showErrorBox: (t, m) => log('ERROR ' + m) }, shell = {};
  export const net = { online: true, fetch: (u, i) => fetch(u, i) };
  export const powerMonitor = { on, removeListener: on };
  const session = { setPermissionRequestHandler: on, setPermissionCheckHandler: on, setDevicePermissionHandler: on, setDisplayMediaRequestHandler: on };
  export class BrowserWindow {
    constructor(options) {
      this.webContents = { id: 1, on, once: on, setWindowOpenHandler: on, session, send: on, isDestroyed: () => false };
      log('WINDOW sandbox=' + options.webPreferences.sandbox + ' contextIsolation=' + options.webPreferences.contextIsolation);
    }
    once() {}
    on() {}
    async loadURL(url) {
      log('LOAD ' + url);
      log('IPC ' + handled.length);
      setTimeout(() => process.exit(0), 200);
    }
  }
`;

describe('dist/main/index.js', () => {
  it('loads as an ES module and, when another instance holds the lock, only quits', () => {
    const stdout = runMainWithFakeElectron(
      `${FAKE_COMMON}
      export const app = {
        requestSingleInstanceLock: () => false,
        quit: () => log('QUIT'),
        setPath: (name) => log('SETPATH ' + name),
        getPath: () => '/nonexistent',
        getVersion: () => '0.0.0',
        on, once: on, whenReady: () => new Promise(() => {}),
      };
      export default { app, protocol, ipcMain, BrowserWindow, clipboard, dialog, shell, net, powerMonitor };`,
      {},
    );
    expect(stdout.trim().split('\n')).toEqual(['SCHEME app', 'SETPATH userData', 'QUIT']);
  });

  it('starts: bundled conf/electron-store, zod and oauth4webapi run, the window and IPC are set up', () => {
    const stdout = runMainWithFakeElectron(
      `${FAKE_COMMON}
      export const app = {
        requestSingleInstanceLock: () => true,
        quit: () => log('QUIT'),
        setPath: (name, p) => paths.set(name, p),
        getPath: (name) => paths.get(name),
        getVersion: () => '0.1.0',
        isPackaged: true,
        on, once: on, whenReady: () => Promise.resolve(),
      };
      export default { app, protocol, ipcMain, BrowserWindow, clipboard, dialog, shell, net, powerMonitor };`,
      { OAUTH_ISSUER: 'http://127.0.0.1:9', OAUTH_CLIENT_ID: 'oauth-desktop', OAUTH_KEYCHAIN_SERVICE: 'oauth-desktop-bundle-test' },
    );
    expect(stdout.trim().split('\n')).toEqual([
      'SCHEME app',
      'PROTOCOL app',
      'WINDOW sandbox=true contextIsolation=true',
      'LOAD app://app/index.html',
      'IPC 11',
    ]);
  });

  it('keeps electron and keytar external (keytar is unpacked next to the asar)', () => {
    const code = readFileSync(join(out, 'main/index.js'), 'utf8');
    expect(code).toMatch(/from "electron"|from 'electron'/);
    expect(code).toContain('"keytar"');
    expect(code).not.toMatch(/keytar\.node/);
    // The demo provider and test code never end up in the app.
    expect(code).not.toContain('oidc-provider');
    expect(code).not.toContain('devInteractions');
  });
});

describe('dist/preload/index.cjs', () => {
  it('runs where only `electron` can be required, and exposes `auth` and nothing else', () => {
    const code = readFileSync(join(out, 'preload/index.cjs'), 'utf8');
    const exposed: Record<string, unknown> = {};
    const required: string[] = [];
    const fakeElectron = {
      contextBridge: { exposeInMainWorld: (key: string, value: unknown) => (exposed[key] = value) },
      ipcRenderer: { invoke: async () => null, on() {}, removeListener() {} },
    };
    const sandboxRequire = (name: string) => {
      required.push(name);
      if (name === 'electron') return fakeElectron;
      throw new Error(`module not found: ${name}`);
    };
    const module = { exports: {} };
    vm.runInNewContext(`(function (require, module, exports) {${code}\n})`, {})(sandboxRequire, module, module.exports);
    expect(required).toEqual(['electron']);
    expect(Object.keys(exposed)).toEqual(['auth']);
    expect(Object.keys(exposed.auth as object).sort()).toEqual(
      [
        'callApi',
        'cancelSignIn',
        'copyDeviceCode',
        'copySignInLink',
        'getSession',
        'onSessionChanged',
        'openDevicePage',
        'reopenBrowser',
        'retry',
        'signIn',
        'signInWithDevice',
        'signOut',
      ],
    );
  });
});
