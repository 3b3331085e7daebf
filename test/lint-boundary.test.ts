/**
 * The platform boundary is enforced by the linter (issue 2, STYLE rule 2): electron only in the
 * shell, keytar/electron-store only in main/platform, node:http only in main/loopback. These tests
 * copy fixtures that break (and one that keeps) the rule into a scratch tree with our real
 * biome.json and prove the lint fails for the right reason — so the rule cannot silently rot.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const fixtures = join(root, 'test/fixtures/lint-boundary');
const biome = join(root, 'node_modules/.bin/biome');
const scratch = mkdtempSync(join(tmpdir(), 'lint-boundary-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function lintAs(fixture: string, pathInRepo: string): { ok: boolean; output: string } {
  const dir = mkdtempSync(join(scratch, 'case-'));
  const config = JSON.parse(readFileSync(join(root, 'biome.json'), 'utf8'));
  config.$schema = undefined;
  config.vcs = { enabled: false };
  writeFileSync(join(dir, 'biome.json'), JSON.stringify(config));
  mkdirSync(dirname(join(dir, pathInRepo)), { recursive: true });
  copyFileSync(join(fixtures, fixture), join(dir, pathInRepo));
  try {
    const output = execFileSync(biome, ['lint', '--max-diagnostics=50', pathInRepo], {
      cwd: dir,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1' },
    });
    return { ok: true, output };
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    return { ok: false, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

describe('import boundary lint', () => {
  it('fails when OAuth logic imports electron', () => {
    const r = lintAs('auth-imports-electron.ts', 'main/auth/bad.ts');
    expect(r.ok).toBe(false);
    expect(r.output).toContain('noRestrictedImports');
    expect(r.output).toContain('may import electron');
  });

  it('fails when OAuth logic imports keytar', () => {
    const r = lintAs('auth-imports-keytar.ts', 'main/auth/bad.ts');
    expect(r.ok).toBe(false);
    expect(r.output).toContain('SecretStore port');
  });

  it('fails when the window layer imports electron-store', () => {
    const r = lintAs('windows-imports-electron-store.ts', 'main/windows/bad.ts');
    expect(r.ok).toBe(false);
    expect(r.output).toContain('SettingsStore port');
  });

  it('fails when IPC code opens an HTTP server', () => {
    const r = lintAs('ipc-opens-http-server.ts', 'main/ipc/bad.ts');
    expect(r.ok).toBe(false);
    expect(r.output).toContain('Only main/loopback/');
  });

  it('allows node:http in main/loopback and keytar in main/platform', () => {
    expect(lintAs('ipc-opens-http-server.ts', 'main/loopback/server-like.ts').ok).toBe(true);
    expect(lintAs('platform-imports-keytar.ts', 'main/platform/secret-store.like.ts').ok).toBe(true);
  });

  it('also fails when keytar is imported from the preload', () => {
    const r = lintAs('auth-imports-keytar.ts', 'preload/index.ts');
    expect(r.ok).toBe(false);
  });
});
