/**
 * The report as a plain-text table (and the same rows as Markdown for the README): figure, value,
 * samples, goal, and whether the goal is met.
 */
import { type BenchReport, FIGURE_KEYS, type FigureKey, GOALS, meets } from './figures';

const UNITS: Partial<Record<FigureKey, string>> = {
  proxy_calls_per_s: 'calls/s',
  rss_growth_mb_10k_calls: 'MiB',
};

function unitOf(key: FigureKey): string {
  if (key.endsWith('_ratio')) return '×';
  if (key.endsWith('_ms')) return 'ms';
  return UNITS[key] ?? '';
}

function formatValue(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  return Number.isInteger(value) ? String(value) : value.toFixed(value >= 100 ? 1 : value >= 10 ? 2 : 3).replace(/0+$/, '').replace(/\.$/, '');
}

/** One row per figure measured: [figure, value + unit, samples, goal, verdict]. */
export function rows(report: BenchReport): string[][] {
  return FIGURE_KEYS.filter((key) => key in report).map((key) => {
    const goal = GOALS[key];
    const value = report[key];
    return [
      key,
      `${formatValue(value)} ${unitOf(key)}`.trim(),
      String(report.repetitions[key]),
      goal ? `${goal.op === '<=' ? '≤' : goal.op} ${goal.target}` : '',
      goal ? (meets(value, goal) ? 'met' : 'MISSED') : '',
    ];
  });
}

const HEADER = ['figure', 'value', 'samples', 'goal', 'verdict'];

/** Aligned columns for a terminal. */
export function formatTable(report: BenchReport): string {
  const all = [HEADER, ...rows(report)];
  const widths = HEADER.map((_, col) => Math.max(...all.map((row) => row[col]!.length)));
  const line = (row: string[]) => row.map((cell, col) => cell.padEnd(widths[col]!)).join('  ').trimEnd();
  return [line(HEADER), widths.map((w) => '-'.repeat(w)).join('  '), ...all.slice(1).map(line)].join('\n');
}

/** The same rows as a Markdown table. */
export function formatMarkdown(report: BenchReport): string {
  const line = (row: string[]) => `| ${row.join(' | ')} |`;
  return [line(HEADER), line(HEADER.map(() => '---')), ...rows(report).map(line)].join('\n');
}
