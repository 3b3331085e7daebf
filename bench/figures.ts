/**
 * The figures the benchmark reports (issue 7), their goals, and the JSON document
 * `npm run bench -- --json FILE` writes. A benchmark reports; missing a goal never fails the run.
 */

/** Every figure, in report order. These are exactly the JSON keys (plus `repetitions`, `machine`). */
export const FIGURE_KEYS = [
  'launch_restore_ms',
  'keychain_read_ms',
  'launch_restore_ratio',
  'launch_refresh_ms',
  'provider_refresh_ms',
  'launch_refresh_ratio',
  'signin_overhead_ms',
  'baseline_exchange_ms',
  'signin_overhead_ratio',
  'proxy_call_ms',
  'direct_call_ms',
  'proxy_overhead_ratio',
  'proxy_calls_per_s',
  'refreshes_for_1000_concurrent',
  'failed_of_1000',
  'rss_growth_mb_10k_calls',
] as const;

export type FigureKey = (typeof FIGURE_KEYS)[number];

/** What one measurement module returns. */
export interface Measurement<K extends FigureKey> {
  figures: Record<K, number>;
  /** Samples behind each figure (a ratio counts the samples of each side). */
  repetitions: Record<K, number>;
  /** Human-readable breakdown lines for the report (what the time was spent on). */
  notes: string[];
}

/** Any measurement's result, as the runner merges them. */
export interface PartialMeasurement {
  figures: Partial<Record<FigureKey, number>>;
  repetitions: Partial<Record<FigureKey, number>>;
  notes: string[];
}

/** A goal: `value op target` should hold. */
export interface Goal {
  op: '<=' | '<' | '=';
  target: number;
}

/** The goals of issue 7. Figures without a goal are inputs to a ratio, or context. */
export const GOALS: Partial<Record<FigureKey, Goal>> = {
  launch_restore_ratio: { op: '<=', target: 1.5 },
  launch_refresh_ratio: { op: '<=', target: 1.2 },
  signin_overhead_ratio: { op: '<=', target: 1.2 },
  proxy_overhead_ratio: { op: '<=', target: 1.1 },
  refreshes_for_1000_concurrent: { op: '=', target: 1 },
  failed_of_1000: { op: '=', target: 0 },
  rss_growth_mb_10k_calls: { op: '<', target: 5 },
};

/** Whether `value` meets `goal`. */
export function meets(value: number, goal: Goal): boolean {
  if (!Number.isFinite(value)) return false;
  switch (goal.op) {
    case '<=':
      return value <= goal.target;
    case '<':
      return value < goal.target;
    case '=':
      return value === goal.target;
  }
}

/** Where the figures were measured. */
export interface Machine {
  cpu: string;
  cores: number;
  node: string;
  /** 1-minute load average when the run started, and when it ended. */
  load_before: number;
  load_after: number;
}

/** The JSON document: every figure, the samples behind each, and the machine. */
export type BenchReport = Record<FigureKey, number> & {
  repetitions: Record<FigureKey, number>;
  machine: Machine;
};
