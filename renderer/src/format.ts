/** Display helpers: initials, times, hosts. Pure, locale-aware where it matters. */

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
