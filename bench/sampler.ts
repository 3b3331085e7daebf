/**
 * Runs a product measurement and its baseline side by side: warm-up rounds first (discarded: JIT,
 * connection pools, the keyring daemon's caches), then rounds that alternate the order
 * A B, B A, A B, … so a load spike on this shared 2-core machine, or a drift in either direction,
 * lands on both sides alike. Each side returns the duration of its timed part, in ms; untimed
 * setup (writing the keychain entry to restore, driving the browser to a callback) happens inside
 * the callbacks before their clock starts.
 */

/** One timed sample of one side; `round` is negative during warm-up (keep no side data then). */
export type Trial = (round: number) => Promise<number>;

/** Counts for {@link samplePair}. */
export interface SampleCounts {
  /** Kept rounds (each gives one sample per side). */
  repetitions: number;
  /** Discarded rounds before them. */
  warmup: number;
}

/** Samples of both sides. */
export interface PairSamples {
  product: number[];
  baseline: number[];
}

/**
 * Alternating A/B sampling with warm-up.
 * @see ./README-section.md "How the figures are measured"
 */
export async function samplePair(counts: SampleCounts, product: Trial, baseline: Trial): Promise<PairSamples> {
  for (let i = 0; i < counts.warmup; i += 1) {
    await product(-1 - i);
    await baseline(-1 - i);
  }
  const out: PairSamples = { product: [], baseline: [] };
  for (let round = 0; round < counts.repetitions; round += 1) {
    if (round % 2 === 0) {
      out.product.push(await product(round));
      out.baseline.push(await baseline(round));
    } else {
      out.baseline.push(await baseline(round));
      out.product.push(await product(round));
    }
  }
  return out;
}

/** Milliseconds since an arbitrary origin, monotonic. */
export const now = (): number => performance.now();

/**
 * Like {@link samplePair} for any number of variants: each round runs every variant once, in an
 * order that reverses every other round. For breakdowns (which layer costs what), not figures.
 */
export async function sampleRoundRobin(
  variants: Readonly<Record<string, () => Promise<number>>>,
  counts: SampleCounts,
): Promise<Record<string, number[]>> {
  const names = Object.keys(variants);
  const out: Record<string, number[]> = Object.fromEntries(names.map((name) => [name, []]));
  for (let round = -counts.warmup; round < counts.repetitions; round += 1) {
    for (const name of round % 2 === 0 ? names : [...names].reverse()) {
      const elapsed = await variants[name]!();
      if (round >= 0) out[name]!.push(elapsed);
    }
  }
  return out;
}
