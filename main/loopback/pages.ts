/**
 * The fixed pages the loopback receiver answers with.
 *
 * Every answer — including the ones for garbage, wrong hosts and oversized requests — is one of
 * these pages, built only from constant text and the app's name (which comes from our own
 * configuration, and is HTML-escaped anyway). Nothing from the request is ever echoed: not the
 * path, not `error_description`, not a header. That is what makes the listener safe to expose to
 * every local web page (RFC 8252 §8.3, RFC 9700 §4.11 on open redirectors and reflected input).
 */
import { createHash } from 'node:crypto';

/** Every page the receiver can send. */
export type PageKind =
  | 'success'
  | 'cancelled'
  | 'error'
  | 'received'
  | 'redirect'
  | 'badRequest'
  | 'notFound'
  | 'methodNotAllowed'
  | 'requestTimeout'
  | 'alreadyCompleted'
  | 'misdirected'
  | 'tooLarge'
  | 'serverError';

type Tone = 'ok' | 'warn' | 'bad';

interface PageText {
  status: number;
  tone: Tone;
  title: string;
  /** `{app}` is replaced by the escaped app name. */
  text: string;
}

const PAGE_TEXT: Readonly<Record<PageKind, PageText>> = {
  success: {
    status: 200,
    tone: 'ok',
    title: 'Signed in',
    text: 'You are signed in to {app}. You can close this tab and return to the app.',
  },
  cancelled: {
    status: 200,
    tone: 'warn',
    title: 'Sign-in cancelled',
    text: 'Sign-in was cancelled. You can close this tab; start again from {app} when you are ready.',
  },
  error: {
    status: 200,
    tone: 'bad',
    title: 'Sign-in failed',
    text: 'Something went wrong: return to {app} to try again.',
  },
  received: {
    status: 200,
    tone: 'ok',
    title: 'Sign-in response received',
    text: '{app} received the sign-in response. Return to the app to see the result; you can close this tab.',
  },
  redirect: {
    status: 303,
    tone: 'ok',
    title: 'Continuing',
    text: 'Continuing to {app}…',
  },
  badRequest: {
    status: 400,
    tone: 'bad',
    title: 'Not a valid sign-in response',
    text:
      'This request is not a valid sign-in response for {app}, so it was ignored. If you are signing in, ' +
      'finish in the browser tab the app opened, or start again from {app}.',
  },
  notFound: {
    status: 404,
    tone: 'bad',
    title: 'Nothing here',
    text: 'There is nothing at this address. It only receives the sign-in response for {app}.',
  },
  methodNotAllowed: {
    status: 405,
    tone: 'bad',
    title: 'Not accepted',
    text: 'This address only accepts the browser returning from sign-in to {app}. The request was ignored.',
  },
  requestTimeout: {
    status: 408,
    tone: 'bad',
    title: 'Request too slow',
    text: 'The request did not arrive in time and was ignored. If you are signing in, start again from {app}.',
  },
  alreadyCompleted: {
    status: 409,
    tone: 'warn',
    title: 'Already completed',
    text: 'This sign-in has already been completed. You can close this tab and return to {app}.',
  },
  misdirected: {
    status: 421,
    tone: 'bad',
    title: 'Wrong address',
    text: 'This request was addressed to another host name, so {app} ignored it.',
  },
  tooLarge: {
    status: 431,
    tone: 'bad',
    title: 'Request too large',
    text: 'The request was too large and was ignored. If you are signing in, start again from {app}.',
  },
  serverError: {
    status: 500,
    tone: 'bad',
    title: 'Something went wrong',
    text: 'Something went wrong: return to {app} to try again.',
  },
};

/** All page kinds, for tests and the fuzzer's "only fixed pages" invariant. */
export const PAGE_KINDS: readonly PageKind[] = Object.keys(PAGE_TEXT) as PageKind[];

// One stylesheet for every page, allowed by hash so the CSP needs no 'unsafe-inline'.
const STYLE =
  ':root{color-scheme:light dark;--bg:#f4f5f7;--fg:#1d1f23;--muted:#5b616b;--card:#fff;--ok:#1f883d;--warn:#b35900;--bad:#c62828}' +
  '@media (prefers-color-scheme:dark){:root{--bg:#16181c;--fg:#e8eaed;--muted:#a0a6b0;--card:#23262b;--ok:#3fb950;--warn:#e3a33b;--bad:#f0605a}}' +
  '*{box-sizing:border-box}' +
  'body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;padding:24px;' +
  'background:var(--bg);color:var(--fg);font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}' +
  'main{max-width:32rem;width:100%;background:var(--card);border-radius:12px;padding:28px 32px;' +
  'box-shadow:0 1px 3px rgba(0,0,0,.12),0 8px 24px rgba(0,0,0,.08);border-top:6px solid var(--accent)}' +
  '.ok{--accent:var(--ok)}.warn{--accent:var(--warn)}.bad{--accent:var(--bad)}' +
  'h1{margin:0 0 8px;font-size:1.35rem;color:var(--accent)}p{margin:0}' +
  'footer{margin-top:20px;font-size:.8rem;color:var(--muted)}';

/** `sha256-…` source for the one inline stylesheet (CSP Level 2 hash source). */
export const STYLE_HASH = `sha256-${createHash('sha256').update(STYLE, 'utf8').digest('base64')}`;

/**
 * Headers on every answer, error pages included (CHECKLIST L24).
 * `Connection: close` keeps the listener free of idle keep-alive sockets (L14).
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Type': 'text/html; charset=utf-8',
  'Cache-Control': 'no-store',
  'Referrer-Policy': 'no-referrer',
  'Content-Security-Policy': `default-src 'none'; style-src '${STYLE_HASH}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Resource-Policy': 'same-origin',
  Connection: 'close',
};

/** A ready-to-send page. */
export interface Page {
  readonly kind: PageKind;
  readonly status: number;
  readonly body: Buffer;
}

/**
 * Renders every page once for an app name; the receiver then only ever sends these buffers.
 * @see RFC 8252 §7.3 (loopback redirect), RFC 9700 §4.2.4 (no referrer leak of the code)
 */
export function renderPages(appName: string): ReadonlyMap<PageKind, Page> {
  const app = escapeHtml(appName);
  const pages = new Map<PageKind, Page>();
  for (const kind of PAGE_KINDS) {
    const { status, tone, title, text } = PAGE_TEXT[kind];
    const html =
      '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
      '<meta name="viewport" content="width=device-width,initial-scale=1">' +
      '<meta name="referrer" content="no-referrer">' +
      `<title>${title} · ${app}</title><style>${STYLE}</style></head>` +
      `<body><main class="${tone}"><h1>${title}</h1><p>${text.replaceAll('{app}', app)}</p>` +
      `<footer>${app} · local sign-in receiver</footer></main></body></html>\n`;
    pages.set(kind, { kind, status, body: Buffer.from(html, 'utf8') });
  }
  return pages;
}

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
