/**
 * Maps an `app://app/...` request to a file under the renderer's build folder — or to nothing.
 *
 * The path-traversal guard of the app:// protocol (CHECKLIST E4): only `app:` URLs for host `app`,
 * percent-decoding exactly once (a malformed escape is a 404, not an exception), no NUL, no
 * backslash (a separator on Windows), no `.` or `..` segment, and the resolved path — after
 * following symbolic links — must stay inside the root. Everything else is "not found": the
 * handler never says why, and never serves a directory listing.
 */
import { realpath, stat } from 'node:fs/promises';
import { extname, isAbsolute, relative, resolve, sep } from 'node:path';

/** The renderer's origin: scheme `app`, host `app`. */
export const APP_SCHEME = 'app';
export const APP_HOST = 'app';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
/** What the window loads. */
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

/**
 * The file path a request URL names inside `root`, or null. Pure string work: the caller still
 * checks the real path with {@link resolveAppFile}.
 */
export function appUrlToPath(requestUrl: string, root: string): string | null {
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return null;
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return null;
  // The WHATWG parser already folds `/./` and `/../` (also `%2e%2e`) for hierarchical URLs; what it
  // leaves encoded (`%2f`, `%5c`, `%00`, `..%2f`) is decoded exactly once and checked here.
  let decoded: string;
  try {
    decoded = decodeURIComponent(url.pathname);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  const segments = decoded.split('/').filter((s) => s !== '');
  if (segments.some((s) => s === '.' || s === '..')) return null;
  const relativePath = segments.length === 0 ? 'index.html' : segments.join('/');
  const rootPath = resolve(root);
  const full = resolve(rootPath, relativePath);
  return isInside(rootPath, full) ? full : null;
}

/** A file to serve, after following links: still inside the root, and a regular file. */
export async function resolveAppFile(
  requestUrl: string,
  root: string,
): Promise<{ path: string; contentType: string } | null> {
  const candidate = appUrlToPath(requestUrl, root);
  if (candidate === null) return null;
  try {
    const [realRoot, realFile] = await Promise.all([realpath(root), realpath(candidate)]);
    if (!isInside(realRoot, realFile)) return null;
    if (!(await stat(realFile)).isFile()) return null;
    return { path: realFile, contentType: CONTENT_TYPES[extname(realFile).toLowerCase()] ?? 'application/octet-stream' };
  } catch {
    return null;
  }
}

function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel);
}
