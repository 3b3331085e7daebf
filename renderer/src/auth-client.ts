/**
 * The ONLY module that touches `window.auth` (the preload's contextBridge API). Everything else in
 * the renderer receives the {@link AuthApi} from here, so the page's whole reach into the main
 * process is visible in one place.
 */
import type { AuthApi } from '../../preload/contract';

declare global {
  interface Window {
    /** Exposed by preload/index.ts; absent when the page is opened outside the app. */
    readonly auth?: AuthApi;
  }
}

/** The preload's API, or null when this page runs without it (then the UI explains and stops). */
export function getAuthApi(): AuthApi | null {
  return window.auth ?? null;
}
