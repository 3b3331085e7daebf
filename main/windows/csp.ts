/**
 * The renderer's Content Security Policy (CHECKLIST E5), sent as a header by the app:// handler and
 * repeated in renderer/index.html's meta tag (a test keeps the two in step).
 *
 * No inline script or eval; styles and images from the app only; `connect-src 'none'`: the
 * renderer does no networking at all — every call goes through `window.auth`, so even injected
 * script has nowhere to send what it finds. The header adds what a meta tag cannot carry.
 *
 * @see https://www.electronjs.org/docs/latest/tutorial/security#7-define-a-content-security-policy
 */

/** The policy of renderer/index.html's `<meta http-equiv="Content-Security-Policy">`. */
export const RENDERER_CSP_META =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'none'";

/** The header: the meta policy plus directives only a header can set. */
export const RENDERER_CSP_HEADER = `${RENDERER_CSP_META}; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; object-src 'none'`;
