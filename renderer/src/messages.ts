/**
 * Errors in plain language. The main process's messages are already written for people; this adds
 * a short headline per code so the user sees at a glance what kind of problem it is. Codes are
 * the stable `AuthErrorCode`s (main/auth/errors.ts); unknown codes fall back to a generic headline.
 */
import type { IpcError } from '../../preload/contract';

const HEADLINES: Record<string, string> = {
  network: "Can't reach the provider",
  timeout: 'The provider is not answering',
  server_error: 'The provider is having trouble',
  offline: "You're offline",
  access_denied: "Sign-in didn't finish",
  cancelled: 'Sign-in cancelled',
  timed_out: 'Sign-in took too long',
  superseded: 'A newer sign-in replaced this one',
  browser_unavailable: "Couldn't open your browser",
  listener_failed: "Couldn't receive the sign-in",
  state_mismatch: 'Sign-in response rejected',
  iss_mismatch: 'Sign-in response rejected',
  callback_invalid: 'Sign-in response rejected',
  front_channel_tokens: 'Sign-in response rejected',
  authorization_error: 'The provider refused the sign-in',
  id_token_invalid: "The provider's answer failed a security check",
  userinfo_sub_mismatch: "The provider's answer failed a security check",
  subject_changed: 'A different account came back',
  token_response_invalid: "The provider's answer couldn't be used",
  invalid_grant: 'Your session has ended',
  invalid_client: 'This app is not registered with the provider',
  not_signed_in: "You're not signed in",
  storage_unavailable: "Your keychain isn't available",
  storage_too_large: "The session doesn't fit in the keychain",
  storage_corrupt: 'The saved session was damaged',
  settings_corrupt: 'Settings were reset',
  origin_not_allowed: "That address isn't allowed",
  response_too_large: 'The answer was too large',
  api_unauthorized: 'The API refused the request',
  config_invalid: 'The app is not configured correctly',
  discovery_failed: "Couldn't read the provider's settings",
  issuer_mismatch: "The provider's settings don't match",
  insecure_endpoint: 'Insecure provider address',
  provider_unsupported: "The provider doesn't support this",
  device_expired: 'The code expired',
  device_denied: 'Sign-in was denied',
  ipc_invalid: 'The app sent an invalid request',
  ipc_forbidden: 'Request refused',
  internal: 'Something went wrong',
};

/**
 * Explanations the app words itself, where the main process's message speaks for the command line
 * ("Start again") and the screen has its own way forward (the sign-in buttons right below).
 */
const DETAILS: Record<string, string> = {
  device_expired: 'The code expired before it was entered. Try again.',
  device_denied: 'The sign-in was turned down on the other device. Try again if that was a mistake.',
};

/** A headline and the main process's explanation (empty when it would only repeat the headline). */
export function describeError(error: IpcError): { title: string; detail: string } {
  const title = HEADLINES[error.code] ?? 'Something went wrong';
  const own = DETAILS[error.code];
  if (own) return { title, detail: own };
  const same = (a: string) => a.toLowerCase().replace(/[.!\s]+$/, '');
  return { title, detail: same(error.message) === same(title) ? '' : error.message };
}

/** Outcomes the user caused on purpose: not shown as errors. */
export function isQuietError(error: IpcError): boolean {
  return error.code === 'cancelled' || error.code === 'superseded';
}
