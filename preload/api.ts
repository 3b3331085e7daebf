/**
 * Builds `window.auth` from two primitives: `invoke` (one request, one reply) and `subscribe` (an
 * event stream). Pure, so tests and the end-to-end bridge use the very object the app exposes.
 *
 * Each function is bound to ONE fixed channel: the renderer cannot name a channel, so a compromised
 * page can reach only the handlers listed in the contract (CHECKLIST E11). Listeners receive the
 * payload only, never Electron's event object (whose `sender` would hand the page an IPC handle).
 *
 * @see https://www.electronjs.org/docs/latest/tutorial/context-isolation#security-considerations
 */
import {
  type AuthApi,
  type CallApiRequest,
  EVENT_CHANNELS,
  type EventChannel,
  type EventContract,
  INVOKE_CHANNELS,
  type InvokeChannel,
  type InvokeContract,
  type IpcResult,
} from './contract';

/** Sends one request on a channel and resolves with the main process's reply. */
export type Invoke = (channel: InvokeChannel, payload?: unknown) => Promise<unknown>;

/** Listens on an event channel; `listener` gets the payload only. Returns an unsubscribe function. */
export type Subscribe = (channel: EventChannel, listener: (payload: unknown) => void) => () => void;

/**
 * The `window.auth` object: exactly the contract's functions, nothing else.
 * @see AuthApi
 */
export function createAuthApi(invoke: Invoke, subscribe: Subscribe): AuthApi {
  // No payload is sent for argument-less calls, whatever the page passes: the handlers refuse
  // unexpected payloads, and this keeps a well-behaved renderer on the happy path.
  const call =
    <C extends InvokeChannel>(channel: C) =>
    (): Promise<IpcResult<InvokeContract[C]['response']>> =>
      invoke(channel) as Promise<IpcResult<InvokeContract[C]['response']>>;

  const listen =
    <C extends EventChannel>(channel: C) =>
    (listener: (payload: EventContract[C]) => void): (() => void) => {
      if (typeof listener !== 'function') throw new TypeError(`${channel}: the listener must be a function.`);
      return subscribe(channel, (payload) => listener(payload as EventContract[C]));
    };

  return Object.freeze({
    getSession: call(INVOKE_CHANNELS.getSession),
    signIn: call(INVOKE_CHANNELS.signIn),
    cancelSignIn: call(INVOKE_CHANNELS.cancelSignIn),
    reopenBrowser: call(INVOKE_CHANNELS.reopenBrowser),
    copySignInLink: call(INVOKE_CHANNELS.copySignInLink),
    signOut: call(INVOKE_CHANNELS.signOut),
    callApi: (request: CallApiRequest) =>
      invoke(INVOKE_CHANNELS.callApi, request) as Promise<IpcResult<InvokeContract['auth:call-api']['response']>>,
    retry: call(INVOKE_CHANNELS.retry),
    signInWithDevice: call(INVOKE_CHANNELS.signInWithDevice),
    copyDeviceCode: call(INVOKE_CHANNELS.copyDeviceCode),
    openDevicePage: call(INVOKE_CHANNELS.openDevicePage),
    onSessionChanged: listen(EVENT_CHANNELS.sessionChanged),
  });
}
