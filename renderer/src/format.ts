/** Display helpers: initials, times, hosts, the device code. Pure, locale-aware where it matters. */

/** "Alice Liddell" → "AL"; "bob@example.test" → "B"; "" → "?". */
export function initials(name: string | null, email: string | null, sub: string): string {
  const source = (name ?? '').trim() || (email ?? '').split('@')[0]!.trim() || sub.trim();
  const words = source.split(/[\s._-]+/).filter(Boolean);
  if (words.length === 0) return '?';
  const letters = words.length === 1 ? [words[0]![0]] : [words[0]![0], words[words.length - 1]![0]];
  return letters.join('').toUpperCase();
}

/** "127.0.0.1:4000" or "login.example.com" from an issuer URL (the part a person recognises). */
export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/** "14:32" in the user's locale. */
export function clockTime(ms: number): string {
  return new Date(ms).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
}

/** "in 4 minutes", "in 30 seconds", "2 minutes ago". */
export function relativeTime(ms: number, now: number): string {
  const seconds = Math.round((ms - now) / 1000);
  const rtf = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
  const abs = Math.abs(seconds);
  if (abs < 60) return rtf.format(seconds, 'second');
  if (abs < 3600) return rtf.format(Math.round(seconds / 60), 'minute');
  if (abs < 86_400) return rtf.format(Math.round(seconds / 3600), 'hour');
  return rtf.format(Math.round(seconds / 86_400), 'day');
}

/** Pretty JSON when the body is JSON, the text as is otherwise. */
export function prettyBody(body: string): string {
  try {
    return JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    return body;
  }
}

/** "9:41" until `until` (minutes:seconds, "1:02:03" past an hour), never negative. */
export function countdown(until: number, now: number): string {
  // Floored, as clocks count down: a fresh 10-minute code reads 10:00, never 10:01.
  const total = Math.max(0, Math.floor((until - now) / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const sec = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

/** The device code's expiry line: "Code expires in 9:41", then "This code has expired." */
export function codeExpiryText(expiresAt: number, now: number): string {
  return expiresAt - now > 0 ? `Code expires in ${countdown(expiresAt, now)}` : 'This code has expired.';
}

/**
 * A user code as a screen reader should say it: character by character, groups separated by a
 * pause ("WDJB-MJHT" → "W D J B, M J H T"), so "B" and "D" are not read as one word.
 */
export function spellCode(code: string): string {
  return code
    .split(/[\s-]+/)
    .filter(Boolean)
    .map((group) => group.split('').join(' '))
    .join(', ');
}

/** "login.example.com/device" — the address without the scheme, as a person would type it. */
export function displayAddress(url: string): string {
  try {
    const u = new URL(url);
    return `${u.host}${u.pathname === '/' ? '' : u.pathname}${u.search}`;
  } catch {
    return url;
  }
}
