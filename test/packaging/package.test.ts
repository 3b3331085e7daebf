/**
 * What the packaged app would contain: `npm run build`, then electron-builder's Linux `dir` target
 * with a stub Electron folder (the real one cannot be downloaded here), then a look inside
 * app.asar with @electron/asar (the library electron-builder itself uses).
 *
 * The stub `electron` is a shell script that carries Electron's fuse sentinel and a fuse wire set
 * to Electron 45's defaults, so electron-builder's fuse step really runs and we can read back
 * which fuses it flipped (CHECKLIST E13). What this cannot prove: that a real Electron binary
 * honours them — that needs the real binary (see the report in docs).
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const asar = require('@electron/asar') as typeof import('@electron/asar');
const fuses = require('@electron/fuses') as typeof import('@electron/fuses');

const root = join(import.meta.dirname, '../..');
/** Electron's fuse sentinel (@electron/fuses SENTINEL) + wire version 1 + 8 fuses. */
const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
/** Electron's defaults: RunAsNode on, cookie encryption off, NODE_OPTIONS on, inspect on, integrity off, asar-only off, V8 snapshot off, file:// privileges on. */
const DEFAULT_WIRE = '10110001';

let work: string;
let unpacked: string;
let asarPath: string;
let files: string[];

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'package-'));
  execFileSync(process.execPath, [join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'pipe' });

  const stub = join(work, 'electron-stub');
  mkdirSync(stub);
  writeFileSync(
    join(stub, 'electron'),
    Buffer.concat([
      Buffer.from('#!/bin/sh\necho "stub Electron: the real binary is not available on this machine" >&2\nexit 1\n# '),
      Buffer.from(SENTINEL),
      Buffer.from([1, DEFAULT_WIRE.length]),
      Buffer.from(`${DEFAULT_WIRE}\n`),
    ]),
  );
  chmodSync(join(stub, 'electron'), 0o755);

  const out = join(work, 'release');
  const started = performance.now();
  execFileSync(
    join(root, 'node_modules/.bin/electron-builder'),
    ['--linux', 'dir', `-c.electronDist=${stub}`, `-c.directories.output=${out}`, '-c.npmRebuild=false', '--publish', 'never'],
    { cwd: root, stdio: 'pipe', env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1', NO_COLOR: '1' } },
  );
  const ms = Math.round(performance.now() - started);
  unpacked = join(out, 'linux-unpacked');
  asarPath = join(unpacked, 'resources', 'app.asar');
  files = asar.listPackage(asarPath, { isPack: false }).map((f) => f.replaceAll('\\', '/'));
  console.log(`packaging check: electron-builder --linux dir ${ms} ms, app.asar ${(statSync(asarPath).size / 1024).toFixed(0)} KiB, ${files.length} entries`);
}, 120_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('packaged app contents', () => {
  it('holds the built app: main bundle, preload, renderer, package.json', () => {
    for (const f of ['/package.json', '/dist/main/index.js', '/dist/preload/index.cjs', '/dist/renderer/index.html']) {
      expect(files).toContain(f);
    }
    expect(files.some((f) => /^\/dist\/renderer\/assets\/index-[\w-]+\.js$/.test(f))).toBe(true);
  });

  it('the packaged package.json points at the bundled main', () => {
    const pkg = JSON.parse(asar.extractFile(asarPath, 'package.json').toString('utf8'));
    expect(pkg.main).toBe('dist/main/index.js');
    expect(files).toContain(`/${pkg.main}`);
  });

  it('holds no tests, sources, demo provider, benchmarks, scripts or source maps', () => {
    const forbidden = files.filter(
      (f) =>
        /^\/(test|dev-provider|bench|scripts|main|preload|renderer|docs|\.ci)(\/|$)/.test(f) ||
        /\.(ts|tsx|map)$/.test(f) ||
        /(^|\/)(tsconfig|vitest\.config|biome|electron-builder)\b/.test(f),
    );
    expect(forbidden).toEqual([]);
  });

  it('node_modules holds keytar only (everything else is bundled into dist/main/index.js)', () => {
    const modules = new Set(files.filter((f) => f.startsWith('/node_modules/')).map((f) => f.split('/')[2]));
    expect([...modules]).toEqual(['keytar']);
    expect(files.some((f) => /oidc-provider|playwright|electron-builder|vitest/.test(f))).toBe(false);
  });

  it("keytar's native module is unpacked next to the archive (native code cannot load from asar)", () => {
    const node = join(unpacked, 'resources', 'app.asar.unpacked', 'node_modules', 'keytar', 'build', 'Release', 'keytar.node');
    expect(existsSync(node)).toBe(true);
    expect(readFileSync(node).subarray(0, 4)).toEqual(Buffer.from([0x7f, 0x45, 0x4c, 0x46])); // ELF
    const header = asar.statFile(asarPath, 'node_modules/keytar/build/Release/keytar.node') as { unpacked?: boolean };
    expect(header.unpacked).toBe(true);
  });

  it('E13: electron-builder flipped the fuses in the (stub) binary as configured', async () => {
    const wire = await fuses.getCurrentFuseWire(join(unpacked, 'oauth-desktop'));
    const { FuseV1Options } = fuses as unknown as { FuseV1Options: Record<string, number> };
    // The wire stores ASCII '0' / '1' (@electron/fuses FuseState.DISABLE / ENABLE, not exported).
    const FuseState = { DISABLE: '0'.charCodeAt(0), ENABLE: '1'.charCodeAt(0) };
    const state = (option: string) => (wire as unknown as Record<number, number>)[FuseV1Options[option]!];
    expect(state('RunAsNode')).toBe(FuseState.DISABLE);
    expect(state('EnableNodeOptionsEnvironmentVariable')).toBe(FuseState.DISABLE);
    expect(state('EnableNodeCliInspectArguments')).toBe(FuseState.DISABLE);
    expect(state('OnlyLoadAppFromAsar')).toBe(FuseState.ENABLE);
    expect(state('EnableEmbeddedAsarIntegrityValidation')).toBe(FuseState.ENABLE);
    expect(state('EnableCookieEncryption')).toBe(FuseState.ENABLE);
    expect(state('GrantFileProtocolExtraPrivileges')).toBe(FuseState.DISABLE);
  });
});
