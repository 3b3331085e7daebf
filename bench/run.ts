/**
 * `npm run bench [-- --json FILE] [--only signin,restore,refresh,proxy,memory,concurrency]`:
 * launch, sign-in, API-proxy and refresh-under-load figures of the app's core, each side by side
 * with what a bare oauth4webapi + keytar client does in the same run, against the bench provider,
 * the demo API, chromium and the real OS keychain (issue 7; README "Benchmarks").
 *
 * Runs under scripts/with-keyring.sh with `node --expose-gc` (package.json). Prints a table and a
 * breakdown, and with `--json FILE` writes the figures (./figures.ts). Missing a goal is reported,
 * not failed; a broken invariant (network during a restore, a failed call) ends the run with status 1.
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { BaselineGrant } from './baseline';
import { type BenchEnv, startBenchEnv } from './env';
import { type BenchReport, FIGURE_KEYS, type FigureKey, type PartialMeasurement } from './figures';
import { measureLaunchRefresh } from './launch-refresh';
import { measureLaunchRestore } from './launch-restore';
import { describeMachine, load1 } from './machine';
import { measureMemory } from './memory';
import { measureProxyCall } from './proxy-call';
import { measureRefreshConcurrency } from './refresh-concurrency';
import { measureSignInOverhead } from './signin-overhead';
import { formatTable } from './table';

/**
 * Sample counts: enough for stable medians on a shared 2-core machine, small enough that the whole
 * run stays well under 3 minutes (a sign-in sample costs a browser round, about half a second).
 */
export const FULL_RUN = {
  signIn: { repetitions: 20, warmup: 3 },
  launchRestore: { repetitions: 100, warmup: 10 },
  launchRefresh: { repetitions: 40, warmup: 5, latencySamples: 8, latencyMs: 50 },
  proxy: { repetitions: 2000, warmup: 200, throughputCalls: 2000, concurrency: 16, breakdownRounds: 1000 },
  concurrency: { calls: 1000, runs: 3 },
  memory: { warmupCalls: 5000, calls: 10_000, batches: 10, concurrency: 16 },
} as const;

type Section = { name: string; title: string; run: (env: BenchEnv, grant: BaselineGrant) => Promise<PartialMeasurement> };

const SECTIONS: Section[] = [
  { name: 'signin', title: 'sign-in overhead', run: (env, grant) => measureSignInOverhead(env, FULL_RUN.signIn, grant) },
  { name: 'restore', title: 'launch restore', run: (env) => measureLaunchRestore(env, FULL_RUN.launchRestore) },
  { name: 'refresh', title: 'launch refresh', run: (env, grant) => measureLaunchRefresh(env, FULL_RUN.launchRefresh, grant) },
  { name: 'proxy', title: 'API proxy', run: (env) => measureProxyCall(env, FULL_RUN.proxy) },
  // Before the 1,000-call burst, whose sockets and buffers would still be settling in the allocator.
  { name: 'memory', title: 'memory', run: (env) => measureMemory(env, FULL_RUN.memory) },
  { name: 'concurrency', title: 'refresh under load', run: (env) => measureRefreshConcurrency(env, FULL_RUN.concurrency) },
];

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { json: { type: 'string' }, only: { type: 'string' } } });
  const only = values.only?.split(',');
  const unknown = only?.filter((name) => !SECTIONS.some((s) => s.name === name)) ?? [];
  if (unknown.length > 0) throw new Error(`unknown section ${unknown.join(', ')}; sections: ${SECTIONS.map((s) => s.name).join(', ')}`);
  const loadBefore = load1();
  const started = performance.now();
  const log = (text: string) => process.stderr.write(`${text}\n`);
  log(`bench: load average ${loadBefore} on ${describeMachine(loadBefore).cores} cores${'gc' in globalThis ? '' : ' (no --expose-gc: memory figure is noisier)'}`);

  const env = await startBenchEnv();
  const figures: Partial<Record<FigureKey, number>> = {};
  const repetitions: Partial<Record<FigureKey, number>> = {};
  const notes: string[] = [];
  try {
    const grant = new BaselineGrant(env);
    for (const section of SECTIONS.filter((s) => !only || only.includes(s.name))) {
      const t0 = performance.now();
      const result = await section.run(env, grant);
      Object.assign(figures, result.figures);
      Object.assign(repetitions, result.repetitions);
      notes.push(...result.notes);
      log(`bench: ${section.title} done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    }
  } finally {
    await env.close();
  }

  // In the order of FIGURE_KEYS, whatever order the sections ran in.
  const measured = FIGURE_KEYS.filter((key) => key in figures);
  const report = {
    ...Object.fromEntries(measured.map((key) => [key, figures[key]])),
    repetitions: Object.fromEntries(measured.map((key) => [key, repetitions[key]])),
    machine: describeMachine(loadBefore),
  } as BenchReport;
  const m = report.machine;
  console.log(formatTable(report));
  console.log('');
  for (const note of notes) console.log(`  ${note}`);
  console.log('');
  console.log(`machine: ${m.cpu}, ${m.cores} cores, Node ${m.node}; load average ${m.load_before} → ${m.load_after}; ` +
    `${((performance.now() - started) / 1000).toFixed(1)} s`);
  if (values.json) {
    await writeFile(values.json, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`figures written to ${values.json}`);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
