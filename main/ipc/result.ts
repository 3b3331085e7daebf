/**
 * Replies as data: `{ ok: true, value }` or `{ ok: false, error: { code, message } }`.
 *
 * Electron serialises a rejected `invoke` as a bare message string prefixed with "Error invoking
 * remote method", losing the code; and an unexpected error's message may quote whatever a library
 * put there. So every handler returns a result, and only an `AuthError` (whose messages are written
 * token-free by construction, CHECKLIST T4) contributes its message; anything else becomes a fixed
 * "internal" message.
 */
import type { IpcError, IpcResult } from '../../preload/contract';
import { type AuthErrorCode, isAuthError } from '../auth/errors';

/** A successful reply. */
export function ok<T>(value: T): IpcResult<T> {
  return { ok: true, value };
}

/** A failed reply with a stable code. */
export function fail(code: AuthErrorCode, message: string): IpcResult<never> {
  return { ok: false, error: { code, message } };
}

/**
 * The reply for anything a handler threw. Only `AuthError`s speak; other errors are bugs and get a
 * fixed message, so a foreign message (which may quote a URL with `state`, a response body…) never
 * reaches the page.
 */
export function errorReply(error: unknown, channel: string): IpcResult<never> {
  return { ok: false, error: toIpcError(error, channel) };
}

/** The token-free `{ code, message }` for an error. */
export function toIpcError(error: unknown, channel: string): IpcError {
  if (isAuthError(error)) return { code: error.code, message: error.message };
  return {
    code: 'internal',
    message: `Something went wrong in the app (${channel}). Try again; if it keeps happening, restart the app.`,
  };
}
