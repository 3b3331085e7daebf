/**
 * The one OAuth check the listener makes: is this the response to OUR request?
 *
 * Everything else about the response (code, error, iss, tokens in the query) is validated by the
 * flow (STYLE rule 1). The state check lives here because it decides which request ends the wait:
 * any local page can hit the loopback port, and only the holder of `state` may complete it.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Compares a received `state` with the expected one in constant time. Both sides are hashed first
 * so `timingSafeEqual` always sees equal-length buffers and the length of `state` leaks nothing.
 * @see RFC 6749 §10.12, RFC 9700 §4.7.1
 */
export function stateMatches(received: string, expected: string): boolean {
  return timingSafeEqual(digest(received), digest(expected));
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
