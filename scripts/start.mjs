#!/usr/bin/env node
// `npm start` (after `node scripts/build.mjs`): launches the built app with Electron.
//
// - OAUTH_ISSUER set: the app uses that provider (OAUTH_CLIENT_ID etc. from the environment or
//   <user data>/config.json, see README).
// - OAUTH_ISSUER not set: starts the bundled demo provider and demo API from dev-provider/ (via tsx;
//   never part of the packaged app), points the app at them, and stops them when the app quits.
//   Demo accounts: alice, bob, carol — any password.
//
// On a machine where Electron's binary is not installed (and cannot be downloaded), says so
// plainly instead of printing a stack trace. ELECTRON_OVERRIDE_DIST_PATH (honoured by the electron
// package) selects another Electron build.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
// --app-dir: the folder Electron loads (package.json + dist/); tests point it at a scratch copy.
const { values: options } = parseArgs({ options: { 'app-dir': { type: 'string', default: root } } });
const appDir = resolve(options['app-dir']);

if (!existsSync(join(appDir, 'dist', 'main', 'index.js'))) {
  console.error('start: dist/main/index.js is missing. Run `npm run build` first (npm start does both).');
  process.exit(1);
}

/** Starts dev-provider/start.ts and resolves with the OAUTH_* settings it prints as JSON. */
function startDemo() {
  return new Promise((resolveDemo, reject) => {
    // tsx's CLI run by this very node (not the .bin shim: Windows refuses to spawn .cmd files
    // without a shell, and a shell would re-parse the arguments).
    const tsx = require.resolve('tsx/cli');
    const child = spawn(process.execPath, [tsx, join(root, 'dev-provider', 'start.ts'), '--json'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const lines = createInterface({ input: child.stdout });
    const onExit = (code) => reject(new Error(`the demo provider exited early (status ${code}).`));
    child.once('exit', onExit);
    child.once('error', reject);
    lines.once('line', (line) => {
      child.off('exit', onExit);
      try {
        resolveDemo({ child, env: JSON.parse(line) });
      } catch {
        child.kill();
        reject(new Error('the demo provider printed something unexpected.'));
      }
    });
  });
}

/** The Electron binary's path, or null with the reason. `require('electron')` may try a download. */
function electronBinary() {
  try {
    const path = require('electron');
    if (typeof path === 'string' && existsSync(path)) return { path };
    return { error: `no Electron binary at ${path}` };
  } catch (error) {
    return { error: error instanceof Error ? error.message.split('\n')[0] : String(error) };
  }
}

let demo = null;
const env = { ...process.env };
if (!env.OAUTH_ISSUER) {
  try {
    demo = await startDemo();
  } catch (error) {
    console.error(`start: could not start the demo provider: ${error.message}`);
    process.exit(1);
  }
  Object.assign(env, demo.env);
  console.log(`start: demo provider ${demo.env.OAUTH_ISSUER}, demo API ${demo.env.OAUTH_API_ORIGINS}`);
  console.log('start: sign in as alice, bob or carol — any password.');
} else {
  console.log(`start: provider ${env.OAUTH_ISSUER}`);
}

const stopDemo = () => {
  if (demo && demo.child.exitCode === null) demo.child.kill('SIGTERM');
};

const electron = electronBinary();
if (electron.error) {
  console.error(
    [
      'start: Electron cannot be started on this machine:',
      `  ${electron.error}`,
      'The Electron binary is downloaded on first use; that needs network access to GitHub (or',
      'ELECTRON_MIRROR) and a desktop session. The app is built in dist/; everything else works',
      'without it: `npm test`, `npm run cli`.',
    ].join('\n'),
  );
  stopDemo();
  process.exit(1);
}

const app = spawn(electron.path, [appDir], { cwd: root, env, stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    app.kill(signal);
  });
}
app.once('exit', (code, signal) => {
  stopDemo();
  process.exit(code ?? (signal ? 1 : 0));
});
