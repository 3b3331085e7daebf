/**
 * Reads the checklist and docs/SECURITY.md's map of checklist IDs to tests, and says what is wrong
 * with the map: an ID with no test, an ID the checklist does not have, a test file that does not
 * exist, or a test title that is not an `it(…)`/`test(…)` in that file. Used by
 * test/security-map.test.ts (which also proves each check can fail).
 *
 * The map's format, in docs/SECURITY.md:
 *
 *     ### N8, L1 — short statement
 *     - `test/loopback/requests.test.ts` › exact test title, as written in the source
 *
 * Public API: `checklistIds(text)`, `parseSecurityMap(text)`, `testTitles(source)`,
 * `verifySecurityMap({ checklist, map, readTest })`.
 *
 * @module
 */

/** The IDs of a checklist text, in order: `N1`, `L1/L2`, `K1/K2/K3`, `R1–R4` (a range), `C1 … C3`. */
export function checklistIds(text: string): string[] {
  // The items start at the first section heading; the preamble only cites RFCs.
  const start = text.indexOf('\n## ');
  const body = start === -1 ? text : text.slice(start);
  return idsIn(body);
}

function idsIn(text: string): string[] {
  const ids: string[] = [];
  for (const m of text.matchAll(/\b([NSCLKRTE])(\d{1,2})(?:\s*[–-]\s*\1?(\d{1,2}))?\b/g)) {
    const from = Number(m[2]);
    const to = m[3] ? Number(m[3]) : from;
    for (let n = from; n <= to; n += 1) {
      const id = `${m[1]}${n}`;
      if (!ids.includes(id)) ids.push(id);
    }
  }
  return ids;
}

/** One mapped test. */
export interface MappedTest {
  file: string;
  title: string;
  /** 1-based line in SECURITY.md, for messages. */
  line: number;
}

/** ID → the tests that prove it, from the `### IDs — …` sections of SECURITY.md. */
export function parseSecurityMap(text: string): Map<string, MappedTest[]> {
  const map = new Map<string, MappedTest[]>();
  let current: string[] = [];
  text.split('\n').forEach((line, index) => {
    if (/^#{1,6}\s/.test(line)) {
      // Only `### IDs — what` headings open a map entry; any other heading closes it.
      const heading = /^###\s+(.+?)\s+—\s/.exec(line);
      current = heading ? idsIn(heading[1]!) : [];
      for (const id of current) if (!map.has(id)) map.set(id, []);
      return;
    }
    const item = /^\s*[-*]\s+`([^`]+)`\s+›\s+(.+?)\s*$/.exec(line);
    if (item && current.length > 0) {
      for (const id of current) map.get(id)!.push({ file: item[1]!, title: item[2]!, line: index + 1 });
    }
  });
  return map;
}

/** Titles of the `it(…)` and `test(…)` calls of a test file (`.each(table)(…)` included), unescaped. */
export function testTitles(source: string): Set<string> {
  const titles = new Set<string>();
  // Comments do not count: block comments, and whole-line `//` comments (a `//` inside a title,
  // as in "app://", is left alone).
  source = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const head = /\b(?:it|test)((?:\.(?:skip|only|concurrent|sequential|fails))*)(\.each)?\s*\(/g;
  for (const m of source.matchAll(head)) {
    let at = m.index + m[0].length;
    // `it.each(table)(title, …)`: skip the table (balanced brackets, strings skipped), then `(`.
    if (m[2]) {
      at = skipBalanced(source, at - 1);
      const next = /^\s*\(/.exec(source.slice(at));
      if (!next) continue;
      at += next[0].length;
    }
    const title = /^\s*(['"`])((?:\\.|(?!\1)[\s\S])*?)\1/.exec(source.slice(at));
    if (title) titles.add(title[2]!.replace(/\\(.)/g, '$1'));
  }
  return titles;
}

/** Index just past the bracket that closes the one at `open`, skipping string literals. */
function skipBalanced(source: string, open: number): number {
  let depth = 0;
  for (let i = open; i < source.length; i += 1) {
    const c = source[i]!;
    if (c === '"' || c === "'" || c === '`') {
      for (i += 1; i < source.length && source[i] !== c; i += 1) if (source[i] === '\\') i += 1;
    } else if (c === '(' || c === '[' || c === '{') depth += 1;
    else if (c === ')' || c === ']' || c === '}') {
      depth -= 1;
      if (depth === 0) return i + 1;
    }
  }
  return source.length;
}

/** Everything wrong with the map; empty when every ID is proven by tests that exist. */
export function verifySecurityMap(input: {
  checklist: string;
  map: string;
  /** The text of a test file by repository path, or null when there is no such file. */
  readTest: (file: string) => string | null;
}): string[] {
  const problems: string[] = [];
  const ids = checklistIds(input.checklist);
  const map = parseSecurityMap(input.map);
  for (const id of ids) {
    if (!map.has(id)) problems.push(`${id} is not in docs/SECURITY.md`);
    else if (map.get(id)!.length === 0) problems.push(`${id} is mapped to no test`);
  }
  for (const id of map.keys()) if (!ids.includes(id)) problems.push(`${id} is mapped but is not a checklist ID`);
  const cache = new Map<string, Set<string> | null>();
  for (const [id, tests] of map) {
    for (const t of tests) {
      if (!cache.has(t.file)) {
        const source = input.readTest(t.file);
        cache.set(t.file, source === null ? null : testTitles(source));
      }
      const titles = cache.get(t.file);
      if (titles === null || titles === undefined) problems.push(`${id}: ${t.file} does not exist (SECURITY.md line ${t.line})`);
      else if (!titles.has(t.title)) problems.push(`${id}: no test "${t.title}" in ${t.file} (SECURITY.md line ${t.line})`);
    }
  }
  return problems;
}
