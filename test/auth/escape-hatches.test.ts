/**
 * STYLE rule 4: no switch that weakens state, nonce, PKCE, subject or HTTPS checks appears in product
 * code; `allowInsecureRequests` appears in exactly one place (main/auth/http.ts, driven by the
 * validated config: loopback http issuers only, CHECKLIST S7). Reads the real source tree.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const PRODUCT_DIRS = ['main', 'preload'];
const FORBIDDEN = ['skipStateCheck', 'expectNoState', 'nopkce', 'skipSubjectCheck', 'expectNoNonce'];

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return /\.(ts|tsx|mts|js|mjs)$/.test(entry.name) ? [path] : [];
  });
}

describe('oauth4webapi escape hatches', () => {
  const files = PRODUCT_DIRS.flatMap((d) => sources(join(root, d))).map((path) => ({
    path: relative(root, path),
    text: readFileSync(path, 'utf8'),
  }));

  it('N2 N8 C1 C6 skipStateCheck, expectNoState, nopkce, skipSubjectCheck, expectNoNonce never appear in product code', () => {
    expect(files.length).toBeGreaterThan(10);
    const hits = files.flatMap((f) => FORBIDDEN.filter((word) => f.text.includes(word)).map((word) => `${f.path}: ${word}`));
    expect(hits).toEqual([]);
  });

  it('S7 allowInsecureRequests is set in main/auth/http.ts only', () => {
    const hits = files.filter((f) => f.text.includes('allowInsecureRequests')).map((f) => f.path);
    expect(hits).toEqual(['main/auth/http.ts']);
  });
});
