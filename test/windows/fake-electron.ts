/**
 * A FAKE `electron` module for the shell-wiring tests — the only place a fake is acceptable
 * (Electron's binary cannot run here). It records what the shell asks of Electron: windows and
 * their options, event handlers, IPC handlers, protocol registrations, permission handlers,
 * openExternal and clipboard calls. It mimics the few behaviours the shell relies on: a new
 * BrowserWindow's web contents is announced with `web-contents-created` (as Electron does), event
 * objects have `preventDefault()`, and `whenReady()` resolves.
 *
 * Use: `vi.mock('electron', async () => (await import('./fake-electron')).electronModule)` and
 * `resetFakeElectron()` between tests.
 */
import { EventEmitter } from 'node:events';

export interface FakeEvent {
  defaultPrevented: boolean;
  preventDefault(): void;
  url?: string;
}

export function fakeEvent(fields: Record<string, unknown> = {}): FakeEvent {
  return {
    defaultPrevented: false,
    preventDefault() {
      this.defaultPrevented = true;
    },
    ...fields,
  };
}

type PermissionRequestHandler = (contents: unknown, permission: string, callback: (granted: boolean) => void, details: unknown) => void;

export class FakeSession {
  permissionRequestHandler: PermissionRequestHandler | null = null;
  permissionCheckHandler: ((...args: unknown[]) => boolean) | null = null;
  devicePermissionHandler: ((...args: unknown[]) => boolean) | null = null;
  displayMediaRequestHandler: ((request: unknown, callback: (streams: unknown) => void) => void) | null = null;
  setPermissionRequestHandler(h: PermissionRequestHandler | null) {
    this.permissionRequestHandler = h;
  }
  setPermissionCheckHandler(h: ((...args: unknown[]) => boolean) | null) {
    this.permissionCheckHandler = h;
  }
  setDevicePermissionHandler(h: ((...args: unknown[]) => boolean) | null) {
    this.devicePermissionHandler = h;
  }
  setDisplayMediaRequestHandler(h: ((request: unknown, callback: (streams: unknown) => void) => void) | null) {
    this.displayMediaRequestHandler = h;
  }
}

const ids = globalThis as { __oauthDesktopFakeWebContentsId?: number };
function nextWebContentsId(): number {
  ids.__oauthDesktopFakeWebContentsId = (ids.__oauthDesktopFakeWebContentsId ?? 0) + 1;
  return ids.__oauthDesktopFakeWebContentsId;
}

export class FakeWebContents extends EventEmitter {
  readonly id = nextWebContentsId();
  readonly session: FakeSession;
  windowOpenHandler: ((details: { url: string }) => { action: string }) | null = null;
  readonly sent: Array<[string, unknown]> = [];
  destroyed = false;
  readonly mainFrame = { url: 'app://app/index.html', parent: null };
  constructor(session: FakeSession) {
    super();
    this.session = session;
  }
  setWindowOpenHandler(h: (details: { url: string }) => { action: string }) {
    this.windowOpenHandler = h;
  }
  send(channel: string, payload: unknown) {
    this.sent.push([channel, payload]);
  }
  isDestroyed() {
    return this.destroyed;
  }
}

export class FakeBrowserWindow extends EventEmitter {
  static get instances(): FakeBrowserWindow[] {
    return singleton.windows.instances;
  }
  static set instances(list: FakeBrowserWindow[]) {
    singleton.windows.instances = list;
  }
  readonly options: Record<string, unknown>;
  readonly webContents: FakeWebContents;
  loadedUrl: string | null = null;
  calls: string[] = [];
  minimized = false;
  destroyed = false;
  constructor(options: Record<string, unknown>) {
    super();
    this.options = options;
    this.webContents = new FakeWebContents(singleton.state.defaultSession);
    FakeBrowserWindow.instances.push(this);
    // Electron announces every new web contents on the app.
    singleton.app.emit('web-contents-created', fakeEvent(), this.webContents);
  }
  async loadURL(url: string) {
    this.loadedUrl = url;
  }
  show() {
    this.calls.push('show');
  }
  focus() {
    this.calls.push('focus');
  }
  restore() {
    this.calls.push('restore');
    this.minimized = false;
  }
  isMinimized() {
    return this.minimized;
  }
  isMaximized() {
    return false;
  }
  isDestroyed() {
    return this.destroyed;
  }
  getBounds() {
    return { x: 10, y: 20, width: 600, height: 700 };
  }
}

class FakeApp extends EventEmitter {
  lockAvailable = true;
  quitCalls = 0;
  focusCalls: unknown[] = [];
  paths = new Map<string, string>();
  isPackaged = false;
  requestSingleInstanceLock() {
    return this.lockAvailable;
  }
  quit() {
    this.quitCalls += 1;
  }
  whenReady() {
    return Promise.resolve();
  }
  setPath(name: string, path: string) {
    this.paths.set(name, path);
  }
  getPath(name: string) {
    const p = this.paths.get(name);
    if (!p) throw new Error(`fake electron: no path ${name}`);
    return p;
  }
  getVersion() {
    return '0.1.0';
  }
  focus(options?: unknown) {
    this.focusCalls.push(options);
  }
}

class FakeIpcMain extends EventEmitter {
  readonly handlers = new Map<string, (event: unknown, ...args: unknown[]) => unknown>();
  handle(channel: string, listener: (event: unknown, ...args: unknown[]) => unknown) {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, listener);
  }
  removeHandler(channel: string) {
    this.handlers.delete(channel);
  }
}

interface FakeState {
  defaultSession: FakeSession;
  privilegedSchemes: unknown[];
  protocolHandlers: Map<string, (request: Request) => Promise<Response> | Response>;
  openedExternally: string[];
  openExternalFails: boolean;
  clipboard: string[];
  errorBoxes: Array<[string, string]>;
}

interface Singleton {
  state: FakeState;
  app: FakeApp;
  ipcMain: FakeIpcMain;
  powerMonitor: EventEmitter;
  windows: { instances: FakeBrowserWindow[] };
}

// One fake per test process, even when a test re-imports modules (vi.resetModules() re-runs the
// mock factory, and the module under test must see the same fake as the test).
const g = globalThis as { __oauthDesktopFakeElectron?: Singleton };
g.__oauthDesktopFakeElectron ??= {
  state: {
    defaultSession: new FakeSession(),
    privilegedSchemes: [],
    protocolHandlers: new Map(),
    openedExternally: [],
    openExternalFails: false,
    clipboard: [],
    errorBoxes: [],
  },
  app: new FakeApp(),
  ipcMain: new FakeIpcMain(),
  powerMonitor: new EventEmitter(),
  windows: { instances: [] },
};
const singleton: Singleton = g.__oauthDesktopFakeElectron;
const state = singleton.state;

export const app = singleton.app;
export const ipcMain = singleton.ipcMain;
export const powerMonitor = singleton.powerMonitor;
export const fake = state;

/** Forgets every recorded call and handler. */
export function resetFakeElectron(): void {
  app.removeAllListeners();
  app.lockAvailable = true;
  app.quitCalls = 0;
  app.focusCalls = [];
  app.paths.clear();
  ipcMain.removeAllListeners();
  ipcMain.handlers.clear();
  powerMonitor.removeAllListeners();
  FakeBrowserWindow.instances = [];
  state.defaultSession = new FakeSession();
  state.privilegedSchemes = [];
  state.protocolHandlers.clear();
  state.openedExternally = [];
  state.openExternalFails = false;
  state.clipboard = [];
  state.errorBoxes = [];
}

const named = {
  app,
  ipcMain,
  powerMonitor,
  BrowserWindow: FakeBrowserWindow,
  protocol: {
    registerSchemesAsPrivileged(schemes: unknown[]) {
      state.privilegedSchemes.push(...schemes);
    },
    handle(scheme: string, handler: (request: Request) => Promise<Response> | Response) {
      state.protocolHandlers.set(scheme, handler);
    },
  },
  shell: {
    async openExternal(url: string) {
      if (state.openExternalFails) throw new Error('Failed to open: no handler');
      state.openedExternally.push(url);
    },
  },
  clipboard: {
    writeText(text: string) {
      state.clipboard.push(text);
    },
  },
  dialog: {
    showErrorBox(title: string, content: string) {
      state.errorBoxes.push([title, content]);
    },
  },
  net: {
    online: true,
    fetch: (input: string | Request, init?: RequestInit) => globalThis.fetch(input, init),
  },
  session: {
    get defaultSession() {
      return state.defaultSession;
    },
  },
};

/** What `vi.mock('electron', …)` should return: named exports plus a default (electron-store uses it). */
export const electronModule = { ...named, default: named };
