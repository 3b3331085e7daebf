/**
 * Order statistics for benchmark samples. Medians (not means): a 2-core machine shared with other
 * work produces long-tailed timings, and one descheduled sample must not move the figure.
 */

/** A sample set reduced to what the report prints. */
export interface Summary {
  /** Number of samples. */
  n: number;
  median: number;
  p10: number;
  p90: number;
  min: number;
  max: number;
}

/**
 * The q-quantile (0 ≤ q ≤ 1) with linear interpolation between closest ranks (Hyndman–Fan type 7,
 * the default of R and NumPy). Throws on an empty sample: a figure without samples is a bug.
 * @see https://doi.org/10.2307/2684934
 */
export function quantile(samples: readonly number[], q: number): number {
  if (samples.length === 0) throw new RangeError('quantile of an empty sample');
  const sorted = [...samples].sort((a, b) => a - b);
  const position = (sorted.length - 1) * Math.min(1, Math.max(0, q));
  const low = Math.floor(position);
  const high = Math.ceil(position);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (position - low);
}

/** The median (p50). @see quantile */
export function median(samples: readonly number[]): number {
  return quantile(samples, 0.5);
}

/** n, median, p10, p90, min, max. @see quantile */
export function summarize(samples: readonly number[]): Summary {
  return {
    n: samples.length,
    median: quantile(samples, 0.5),
    p10: quantile(samples, 0.1),
    p90: quantile(samples, 0.9),
    min: Math.min(...samples),
    max: Math.max(...samples),
  };
}

/** `a / b`, rounded for the report; NaN when `b` is 0 (printed as "n/a"). */
export function ratio(a: number, b: number): number {
  return b === 0 ? Number.NaN : round(a / b, 2);
}

/** Rounds to `digits` decimals (figures are reported, not computed with further). */
export function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/**
 * Theil–Sen estimator: the median of the slopes between every pair of points. A straight-line
 * trend that up to ~29 % of wild points cannot move (ordinary least squares follows one outlier).
 * @see https://doi.org/10.1080/01621459.1968.10480934
 */
export function theilSenSlope(xs: readonly number[], ys: readonly number[]): number {
  const slopes: number[] = [];
  for (let i = 0; i < xs.length; i += 1) {
    for (let j = i + 1; j < xs.length; j += 1) {
      if (xs[j] !== xs[i]) slopes.push((ys[j]! - ys[i]!) / (xs[j]! - xs[i]!));
    }
  }
  return median(slopes);
}
