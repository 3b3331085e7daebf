/**
 * `npm start`'s launcher (scripts/start.mjs) without a real Electron: a stub Electron folder
 * (selected with ELECTRON_OVERRIDE_DIST_PATH, which the electron package honours) records how it
 * was started. With no OAUTH_ISSUER the launcher must start the demo provider and API, hand their
 * settings to the app, and stop them when the app exits; with OAUTH_ISSUER set it must not.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');
let work: string;
let stubDir: string;
let appDir: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'start-'));
  appDir = join(work, 'app');
  mkdirSync(join(appDir, 'dist', 'main'), { recursive: true });
  writeFileSync(join(appDir, 'package.json'), '{"main":"dist/main/index.js"}');
  writeFileSync(join(appDir, 'dist', 'main', 'index.js'), '');
  stubDir = join(work, 'electron');
  mkdirSync(stubDir);
  // The stub "Electron" checks that the provider it was pointed at answers discovery, records its
  // arguments and environment, and exits like an app the user closed.
  writeFileSync(
    join(stubDir, 'electron'),
    `#!/bin/sh
exec "${process.execPath}" -e '
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith("OAUTH_")));
  const report = (discovery) => require("node:fs").writeFileSync(process.env.STUB_REPORT, JSON.stringify({ args: process.argv.slice(1), env, discovery }));
  if (!env.OAUTH_ISSUER || env.OAUTH_ISSUER.startsWith("https://")) { report(null); process.exit(0); }
  fetch(env.OAUTH_ISSUER + "/.well-known/openid-configuration").then((r) => r.json()).then((d) => { report(d.issuer); process.exit(0); });
' -- "$@"
`,
  );
  chmodSync(join(stubDir, 'electron'), 0o755);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function start(env: Record<string, string>) {
  const reportFile = join(work, `report-${Math.random().toString(36).slice(2)}.json`);
  const stdout = execFileSync(process.execPath, [join(root, 'scripts/start.mjs'), '--app-dir', appDir], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, OAUTH_ISSUER: '', ...env, ELECTRON_OVERRIDE_DIST_PATH: stubDir, STUB_REPORT: reportFile },
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 60_000,
  });
  return { stdout, report: JSON.parse(readFileSync(reportFile, 'utf8')) as { args: string[]; env: Record<string, string>; discovery: string | null } };
}

function portOpen(origin: string): Promise<boolean> {
  const { hostname, port } = new URL(origin);
  return new Promise((resolve) => {
    const socket = createConnection({ host: hostname, port: Number(port) });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('scripts/start.mjs', () => {
  it('without OAUTH_ISSUER: starts the demo, points the app at it, stops it when the app exits', async () => {
    const { stdout, report } = start({});
    expect(stdout).toContain('sign in as alice, bob or carol');
    expect(report.args).toEqual([appDir]);
    expect(report.env.OAUTH_ISSUER).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(report.discovery).toBe(report.env.OAUTH_ISSUER);
    expect(report.env).toMatchObject({ OAUTH_CLIENT_ID: 'oauth-desktop', OAUTH_RESOURCE: 'urn:oauth-desktop:demo-api' });
    expect(report.env.OAUTH_API_ORIGINS).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(report.env.OAUTH_API_URL).toBe(`${report.env.OAUTH_API_ORIGINS}/me`);
    await expect(portOpen(report.env.OAUTH_ISSUER!)).resolves.toBe(false);
    await expect(portOpen(report.env.OAUTH_API_ORIGINS!)).resolves.toBe(false);
  });

  it('with OAUTH_ISSUER: uses that provider and starts no demo', () => {
    const { stdout, report } = start({ OAUTH_ISSUER: 'https://login.example.com', OAUTH_CLIENT_ID: 'mine' });
    expect(stdout).toContain('start: provider https://login.example.com');
    expect(report.env).toMatchObject({ OAUTH_ISSUER: 'https://login.example.com', OAUTH_CLIENT_ID: 'mine' });
    expect(stdout).not.toContain('demo provider');
  });
});
