/**
 * docs/SECURITY.md maps every ID of the checklist (../shared/CHECKLIST.md, or its copy
 * docs/CHECKLIST.md when ../shared is absent) to the tests that prove it. This fails when an ID has
 * no test, when a mapped ID is not in the checklist, when a named test file does not exist, or
 * when a named test title is not an `it(…)`/`test(…)` in that file — and proves that each of those
 * checks can fail.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checklistIds, parseSecurityMap, testTitles, verifySecurityMap } from './support/security-map';

const root = join(import.meta.dirname, '..');
const shared = join(root, '..', 'shared', 'CHECKLIST.md');
const copy = join(root, 'docs', 'CHECKLIST.md');
const checklist = readFileSync(existsSync(shared) ? shared : copy, 'utf8');
const securityMd = readFileSync(join(root, 'docs', 'SECURITY.md'), 'utf8');
const readTest = (file: string): string | null => {
  const path = join(root, file);
  return file.startsWith('test/') && existsSync(path) ? readFileSync(path, 'utf8') : null;
};

describe('docs/SECURITY.md ↔ the checklist', () => {
  it('reads every checklist ID, ranges and grouped IDs included', () => {
    const ids = checklistIds(checklist);
    // N1…N11, S3/S6/S7, C1/C3/C5/C6, L1–L16, L19–L22, L24, K1–K6, K8–K12, K15, K17, K18, R1–R4, T4, E1/E2, E4–E13, E16.
    expect(ids.length).toBeGreaterThanOrEqual(71);
    for (const id of ['N1', 'N11', 'L2', 'L3', 'K2', 'K3', 'R2', 'R3', 'C3', 'E2', 'E16']) expect(ids).toContain(id);
  });

  it('every checklist ID is mapped to at least one test, and every mapped test exists in the named file', () => {
    expect(verifySecurityMap({ checklist, map: securityMd, readTest })).toEqual([]);
    const map = parseSecurityMap(securityMd);
    expect([...map.values()].reduce((n, tests) => n + tests.length, 0)).toBeGreaterThan(200);
  });

  it('docs/CHECKLIST.md is an up-to-date copy of ../shared/CHECKLIST.md', () => {
    if (!existsSync(shared)) return; // the copy is the source of truth when ../shared is absent
    expect(readFileSync(copy, 'utf8')).toBe(readFileSync(shared, 'utf8'));
  });
});

describe('the map check can fail', () => {
  const miniChecklist = '# c\n\n## s\n- X1 nothing\n- N1 one\n- R1–R3 range\n- L1/L2 pair\n';
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the source text of a test file, template title included
  const file = "it('N1 proves it', () => {});\nit.each([['a (b)', 1]])('R1–R3 %s row', () => {});\ntest(`L1 and L2 ${'x'}`, () => {});\n";
  const files: Record<string, string> = { 'test/a.test.ts': file };
  const read = (f: string) => files[f] ?? null;
  const good = [
    '### N1 — one',
    '- `test/a.test.ts` › N1 proves it',
    '### R1–R3 — range',
    '- `test/a.test.ts` › R1–R3 %s row',
    '### L1, L2 — pair',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a title written as in the source
    "- `test/a.test.ts` › L1 and L2 ${'x'}",
  ].join('\n');

  it('passes a complete map (ranges, .each tables with brackets in them, template titles)', () => {
    expect(verifySecurityMap({ checklist: miniChecklist, map: good, readTest: read })).toEqual([]);
  });

  it('fails for an unmapped ID, an ID without tests, an unknown ID, a missing file and a wrong title', () => {
    const bad = [
      '### N1 — one',
      '- `test/a.test.ts` › N1 proves something else',
      '### R1–R3 — range',
      '### L1 — only one of the pair',
      '- `test/missing.test.ts` › L1 and L2',
      '### K7 — not in the checklist',
      '- `test/a.test.ts` › N1 proves it',
      '## Threat model',
      '- `test/a.test.ts` › not under a map heading',
    ].join('\n');
    expect(verifySecurityMap({ checklist: miniChecklist, map: bad, readTest: read }).sort()).toEqual(
      [
        'L2 is not in docs/SECURITY.md',
        'R1 is mapped to no test',
        'R2 is mapped to no test',
        'R3 is mapped to no test',
        'N1: no test "N1 proves something else" in test/a.test.ts (SECURITY.md line 2)',
        'L1: test/missing.test.ts does not exist (SECURITY.md line 5)',
        'K7 is mapped but is not a checklist ID',
      ].sort(),
    );
  });

  it('a title must be an it()/test() call: a describe() or a comment does not count', () => {
    const source = "describe('N1 a group', () => {});\n// it('N1 in a comment, still a call shape');\nit('N1 real', () => {});\n";
    expect([...testTitles(source)]).toContain('N1 real');
    expect([...testTitles(source)]).not.toContain('N1 a group');
    expect([...testTitles(source)]).not.toContain('N1 in a comment, still a call shape');
  });
});
