/**
 * Who sent an IPC message, and whether we answer it (CHECKLIST E10).
 *
 * Only the main frame of our own window, showing our own `app://` page, may call a handler. An
 * iframe (even one of ours), another window, a page that navigated elsewhere, or a frame that is
 * gone gets `ipc_forbidden`. Electron delivers IPC from every frame of every web contents to
 * `ipcMain`, so without this check any content that ever runs in a renderer could drive sign-in.
 *
 * @see https://www.electronjs.org/docs/latest/tutorial/security#17-validate-the-sender-of-all-ipc-messages
 */

/** What the handlers need to know about a sender; built from Electron's event by {@link senderInfoFromEvent}. */
export interface SenderInfo {
  /** `event.sender.id`: the web contents that sent the message. */
  webContentsId: number;
  /** URL of the sending frame, or null when the frame is gone (navigated away, destroyed). */
  frameUrl: string | null;
  /** True only for the top-level frame (`senderFrame.parent === null`). */
  isMainFrame: boolean;
}

/** The decision the handlers ask for. */
export type SenderCheck = (sender: SenderInfo) => boolean;

/** The part of Electron's `IpcMainInvokeEvent` we read (structural, so tests need no Electron). */
export interface IpcEventLike {
  sender: { id: number };
  readonly senderFrame?: { url: string; parent: unknown } | null;
}

/** Reads {@link SenderInfo} from an IPC event; a frame that cannot be read counts as gone. */
export function senderInfoFromEvent(event: IpcEventLike): SenderInfo {
  let frame: { url: string; parent: unknown } | null | undefined;
  try {
    // Accessing senderFrame after the frame navigated or was destroyed may yield null (or throw
    // on older Electron versions): both mean "not our main frame any more".
    frame = event.senderFrame;
  } catch {
    frame = null;
  }
  return {
    webContentsId: event.sender.id,
    frameUrl: frame ? frame.url : null,
    isMainFrame: frame ? frame.parent === null : false,
  };
}

/** Options of {@link createSenderCheck}. */
export interface SenderPolicy {
  /** Origin of our renderer, e.g. `app://app` (scheme + host; custom schemes have no WHATWG origin). */
  appOrigin: string;
  /** The web contents id of our window, or null while there is none. */
  windowWebContentsId: () => number | null;
}

/**
 * The sender check for our window: same web contents, main frame, our origin.
 * @see SenderPolicy
 */
export function createSenderCheck(policy: SenderPolicy): SenderCheck {
  const expected = schemeAndHost(policy.appOrigin);
  if (expected === null) throw new TypeError('createSenderCheck: appOrigin must be an absolute URL origin.');
  return (sender) => {
    const ours = policy.windowWebContentsId();
    if (ours === null || sender.webContentsId !== ours) return false;
    if (!sender.isMainFrame || sender.frameUrl === null) return false;
    return schemeAndHost(sender.frameUrl) === expected;
  };
}

/**
 * `scheme://host[:port]`, lower-cased. Not `URL.origin`: for a non-special scheme such as `app:`
 * Node's URL reports the opaque origin "null", which would make every app:// URL look alike.
 */
export function schemeAndHost(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (!parsed.host) return null;
  return `${parsed.protocol}//${parsed.host}`.toLowerCase();
}
