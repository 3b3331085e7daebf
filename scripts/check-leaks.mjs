// The run-wide leak check (issue 8 §3, CHECKLIST T4): fails when any secret the bench provider
// issued or received during the test run appears in anything the run output.
//
//   node scripts/check-leaks.mjs <dir>
//
// <dir> is the OAUTH_DESKTOP_LEAK_DIR of the run (scripts/test.sh makes it, then deletes it):
//   secrets-<pid>.txt    `kind<TAB>value` lines, written by dev-provider/leak-recorder.ts
//   outputs-<pid>.jsonl  `{ "source", "text" }` lines, written by test/support/output-capture.ts
//                        (console output of every test, worker stdout/stderr, CLI output, IPC
//                        replies, log lines, AuthError messages)
//   *.log                raw text, e.g. the test runner's whole terminal output
//
// Only secrets of 8 characters or more are looked for (shorter strings match by chance). A finding
// names the kind of secret and where it was found — never the value. Exit status: 0 no leak,
// 1 leak found, 2 unusable input.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const MIN_SECRET_LENGTH = 8;
const PREFIX = MIN_SECRET_LENGTH;

const dir = process.argv[2];
if (!dir || !existsSync(dir) || !statSync(dir).isDirectory()) {
  console.log(`check-leaks: no capture folder${dir ? ` at ${dir}` : ''} (usage: node scripts/check-leaks.mjs <dir>)`);
  process.exit(2);
}

const files = readdirSync(dir).sort();

// ---- the secrets of this run ----
/** value → kind */
const secrets = new Map();
const byKind = {};
const secretFiles = files.filter((f) => /^secrets-\d+\.txt$/.test(f));
for (const file of secretFiles) {
  for (const line of readFileSync(join(dir, file), 'utf8').split('\n')) {
    const tab = line.indexOf('\t');
    if (tab <= 0) continue;
    const kind = line.slice(0, tab);
    const value = line.slice(tab + 1);
    if (value.length < MIN_SECRET_LENGTH || secrets.has(value)) continue;
    secrets.set(value, kind);
    byKind[kind] = (byKind[kind] ?? 0) + 1;
  }
}
/** First PREFIX characters → the secrets that start with them (a linear scan per output). */
const byPrefix = new Map();
for (const value of secrets.keys()) {
  const key = value.slice(0, PREFIX);
  const list = byPrefix.get(key);
  if (list) list.push(value);
  else byPrefix.set(key, [value]);
}

/** Kinds of the secrets found in `text`, each once. */
function findSecrets(text) {
  const found = new Set();
  for (let i = 0; i + PREFIX <= text.length; i++) {
    const candidates = byPrefix.get(text.slice(i, i + PREFIX));
    if (!candidates) continue;
    for (const value of candidates) if (text.startsWith(value, i)) found.add(secrets.get(value));
  }
  return found;
}

// ---- everything the run output ----
const findings = [];
/** Outputs per kind of source, for the summary line (so a capture that silently stopped shows). */
const bySource = {};
const SOURCE_KINDS = [
  ['AuthError messages', /AuthError message/],
  ['IPC replies and events', /\bIPC (reply|event)\b/],
  ['CLI output', /\bCLI\b|child stdout|child stderr|stdout\+stderr/],
  ['log lines', /\blog\b|logger/],
  ['console', /\bconsole (stdout|stderr)\b/],
  ['worker stdout/stderr', /\bworker (stdout|stderr)\b/],
  ['renderer pages', /renderer page/],
];
const kindOf = (source) => SOURCE_KINDS.find(([, re]) => re.test(source))?.[0] ?? 'other';
let outputs = 0;
let bytes = 0;
let unreadable = 0;
const outputFiles = files.filter((f) => /^outputs-\d+\.jsonl$/.test(f) || f.endsWith('.log'));
/** The same text is often output many times (fixed messages): scan each distinct text once. */
const verdicts = new Map();
const scan = (text) => {
  let kinds = verdicts.get(text);
  if (!kinds) {
    kinds = findSecrets(text);
    verdicts.set(text, kinds);
  }
  return kinds;
};

for (const file of outputFiles) {
  const content = readFileSync(join(dir, file), 'utf8');
  const lines = content.split('\n');
  if (file.endsWith('.log')) {
    bySource['test runner output lines'] = (bySource['test runner output lines'] ?? 0) + lines.length;
    lines.forEach((line, index) => {
      outputs += 1;
      bytes += line.length;
      for (const kind of scan(line)) findings.push({ kind, source: 'the test runner output', where: `${file} line ${index + 1}` });
    });
    continue;
  }
  lines.forEach((line, index) => {
    if (line === '') return;
    let record;
    try {
      record = JSON.parse(line);
    } catch {
      unreadable += 1;
      return;
    }
    if (typeof record?.text !== 'string') {
      unreadable += 1;
      return;
    }
    outputs += 1;
    bytes += record.text.length;
    const sourceKind = kindOf(String(record.source ?? ''));
    bySource[sourceKind] = (bySource[sourceKind] ?? 0) + 1;
    for (const kind of scan(record.text)) {
      findings.push({ kind, source: String(record.source ?? 'unknown'), where: `${file} line ${index + 1}` });
    }
  });
}

// ---- verdict ----
const kinds = Object.entries(byKind)
  .sort()
  .map(([kind, n]) => `${kind} ${n}`)
  .join(', ');
console.log(
  `check-leaks: ${secrets.size} secrets recorded (${kinds || 'none'}) by ${secretFiles.length} provider process(es); ` +
    `${outputs} outputs (${(bytes / 1e6).toFixed(1)} MB) scanned from ${outputFiles.length} file(s)` +
    (unreadable ? `; ${unreadable} unreadable line(s)` : ''),
);
console.log(
  `check-leaks: outputs by source: ${Object.entries(bySource)
    .sort()
    .map(([kind, n]) => `${kind} ${n}`)
    .join(', ') || 'none'}`,
);
if (secrets.size === 0) console.log('check-leaks: no secret was issued during this run, so there was nothing to look for');
if (unreadable > 0) {
  console.log('check-leaks: FAILED — some captured outputs could not be read, so they were not checked');
  process.exit(2);
}
if (findings.length === 0) {
  console.log('check-leaks: no recorded secret appears in any output');
  process.exit(0);
}
// Group: one line per (kind, source), with the first place it was seen and how often.
const groups = new Map();
for (const f of findings) {
  const key = `${f.kind}\u0000${f.source}`;
  const group = groups.get(key) ?? { ...f, count: 0 };
  group.count += 1;
  groups.set(key, group);
}
for (const g of groups.values()) {
  console.log(`check-leaks: LEAK — a ${g.kind} appears in ${g.source} (first at ${g.where}${g.count > 1 ? `; ${g.count} places` : ''})`);
}
console.log(`check-leaks: FAILED — ${findings.length} leak(s); values are not printed`);
process.exit(1);
