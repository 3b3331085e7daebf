#!/usr/bin/env node
// Builds the desktop app into dist/:
//   dist/renderer/        Vite build of renderer/ with relative asset paths (served from app://app/)
//   dist/main/index.js    esbuild bundle of main/index.ts: ESM, platform node, electron + keytar external
//   dist/preload/index.cjs esbuild bundle of preload/index.ts: CommonJS (a sandboxed preload cannot
//                          be an ES module and may `require` only electron), electron external
//
//   node scripts/build.mjs [--only renderer,main,preload] [--out <dir>]
//
// Prints one line per part with its time and size. `--out` lets tests build into a temp folder.
import { readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    out: { type: 'string', default: join(root, 'dist') },
  },
});
const out = resolve(values.out);
const parts = values.only ? values.only.split(',').map((p) => p.trim()) : ['renderer', 'main', 'preload'];
for (const part of parts) {
  if (!['renderer', 'main', 'preload'].includes(part)) {
    console.error(`build: unknown part "${part}" (expected renderer, main, preload)`);
    process.exit(2);
  }
}

/** Vite's HTML output marks module scripts `crossorigin`; our app:// page loads same-origin only. */
const stripCrossorigin = {
  name: 'oauth-desktop:strip-crossorigin',
  transformIndexHtml: { order: 'post', handler: (html) => html.replace(/\s+crossorigin(?=[\s>])/g, '') },
};

async function buildRenderer() {
  const { build } = await import('vite');
  await build({
    configFile: false,
    root: join(root, 'renderer'),
    base: './',
    logLevel: 'warn',
    plugins: [stripCrossorigin],
    build: {
      outDir: join(out, 'renderer'),
      emptyOutDir: true,
      // Electron 45 ships Chromium 142: no need for transforms or the modulepreload polyfill
      // (which would add code the CSP does not need).
      target: 'chrome140',
      modulePreload: { polyfill: false },
      sourcemap: false,
      assetsInlineLimit: 0,
      reportCompressedSize: false,
    },
  });
  return join(out, 'renderer');
}

async function buildMain() {
  const esbuild = await import('esbuild');
  const outfile = join(out, 'main', 'index.js');
  await esbuild.build({
    entryPoints: [join(root, 'main', 'index.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    // Electron 45 runs Node 22.
    target: 'node22',
    external: ['electron', 'keytar'],
    // Bundled CommonJS dependencies (conf's ajv, …) call require() and read __dirname, which an
    // ES module does not have: provide both.
    banner: {
      js: [
        "import { createRequire as __odCreateRequire } from 'node:module';",
        "import { fileURLToPath as __odFileURLToPath } from 'node:url';",
        "import { dirname as __odDirname } from 'node:path';",
        'const require = __odCreateRequire(import.meta.url);',
        'const __filename = __odFileURLToPath(import.meta.url);',
        'const __dirname = __odDirname(__filename);',
      ].join('\n'),
    },
    legalComments: 'none',
    logLevel: 'warning',
  });
  return outfile;
}

async function buildPreload() {
  const esbuild = await import('esbuild');
  const outfile = join(out, 'preload', 'index.cjs');
  await esbuild.build({
    entryPoints: [join(root, 'preload', 'index.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'chrome140',
    external: ['electron'],
    legalComments: 'none',
    logLevel: 'warning',
  });
  return outfile;
}

function sizeOf(path) {
  const s = statSync(path);
  if (!s.isDirectory()) return s.size;
  return readdirSync(path).reduce((sum, name) => sum + sizeOf(join(path, name)), 0);
}

const builders = { renderer: buildRenderer, main: buildMain, preload: buildPreload };
const started = performance.now();
try {
  for (const part of parts) {
    const t0 = performance.now();
    if (part !== 'renderer') rmSync(join(out, part), { recursive: true, force: true });
    const path = await builders[part]();
    const ms = Math.round(performance.now() - t0);
    console.log(`build: ${part.padEnd(8)} ${relative(root, path) || path}  ${(sizeOf(path) / 1024).toFixed(1)} KiB  ${ms} ms`);
  }
} catch (error) {
  console.error(`build: failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
console.log(`build: done in ${Math.round(performance.now() - started)} ms`);
