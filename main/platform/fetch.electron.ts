/**
 * The core's FetchLike in the app: Electron's `net.fetch`, which goes through Chromium's network
 * stack — the system proxy settings (PAC, authenticating proxies) and the OS certificate store
 * (corporate roots), as VS Code does for its sign-ins. Node's fetch honours neither.
 *
 * @see https://www.electronjs.org/docs/latest/api/net#netfetchinput-init
 */
import { net } from 'electron';
import type { FetchLike } from './ports';

/** `net.fetch`, accepting a `URL` like the global fetch does. Call after `app.whenReady()`. */
export const electronFetch: FetchLike = (input, init) =>
  // bypassCustomProtocolHandlers: a request of the core must never be answered by our own app://
  // handler (or any other registered protocol handler), only by the network.
  net.fetch(input instanceof URL ? input.href : input, { ...init, bypassCustomProtocolHandlers: true });
