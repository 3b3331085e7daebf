/**
 * Retry timing for session renewal while the provider is unreachable (CHECKLIST K9, K11).
 *
 * Exponential backoff with "equal jitter": attempt n waits between half and all of
 * min(max, base·2ⁿ⁻¹). The jitter keeps a fleet of laptops that wake at the same minute from
 * hitting the provider in lockstep; the half that is not random keeps one client from retrying in
 * a tight loop; the cap and the attempt limit bound the total number of requests.
 */

export interface BackoffPolicy {
  /** First delay (ms) before randomisation. */
  baseMs: number;
  /** Upper bound of any delay (ms). */
  maxMs: number;
  /** Automatic retries after which the session waits for a wake signal or the user's Retry. */
  maxAttempts: number;
  /** Uniform [0, 1): Math.random in production, fixed in tests. */
  random: () => number;
}

/** Defaults: 2 s, 4 s, 8 s … capped at 5 minutes, 12 automatic attempts (about half an hour). */
export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 2_000, maxMs: 300_000, maxAttempts: 12, random: Math.random };

/**
 * Delay before retry number `attempt` (1-based), or null when automatic retries are exhausted.
 * @see https://aws.amazon.com/builders-library/timeouts-retries-and-backoff-with-jitter/
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy): number | null {
  if (attempt < 1 || attempt > policy.maxAttempts) return null;
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** (attempt - 1));
  const r = Math.min(Math.max(policy.random(), 0), 1);
  return Math.round(ceiling / 2 + (ceiling / 2) * r);
}

/** setTimeout refuses delays above 2³¹−1 ms (~24.8 days) and fires at once instead. */
export const MAX_TIMER_MS = 2 ** 31 - 1;
