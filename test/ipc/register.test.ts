/**
 * The glue to `ipcMain`: every contract channel registered once, the sender read from Electron's
 * event shape (E10), removal on dispose, and session events pushed to our window only.
 */
import { describe, expect, it } from 'vitest';
import { createIpcHandlers } from '../../main/ipc/handlers';
import { publishSessionChanges, registerIpc } from '../../main/ipc/register';
import { createSenderCheck, senderInfoFromEvent } from '../../main/ipc/sender';
import { EVENT_CHANNELS, INVOKE_CHANNELS } from '../../preload/contract';
import { createFakeSession, SIGNED_IN } from './fake-session';

type Listener = (event: unknown, ...args: unknown[]) => unknown;

function fakeIpcMain() {
  const handlers = new Map<string, Listener>();
  return {
    handlers,
    handle(channel: string, listener: Listener) {
      if (handlers.has(channel)) throw new Error(`second handler for ${channel}`);
      handlers.set(channel, listener);
    },
    removeHandler(channel: string) {
      handlers.delete(channel);
    },
  };
}

const mainFrame = { url: 'app://app/index.html', parent: null };
const ourEvent = { sender: { id: 3 }, senderFrame: mainFrame };

function build() {
  const session = createFakeSession(SIGNED_IN);
  const handlers = createIpcHandlers({
    session,
    clipboard: { writeText: () => {} },
    isTrustedSender: createSenderCheck({ appOrigin: 'app://app', windowWebContentsId: () => 3 }),
    apiOrigins: [],
  });
  return { session, handlers };
}

describe('registerIpc', () => {
  it('registers exactly the contract channels and removes them on dispose', () => {
    const ipcMain = fakeIpcMain();
    const dispose = registerIpc(build().handlers, ipcMain);
    expect([...ipcMain.handlers.keys()].sort()).toEqual(Object.values(INVOKE_CHANNELS).sort());
    dispose();
    expect(ipcMain.handlers.size).toBe(0);
  });

  it('passes the sender read from the event to the handler (our main frame → ok)', async () => {
    const ipcMain = fakeIpcMain();
    registerIpc(build().handlers, ipcMain);
    const reply = await ipcMain.handlers.get('auth:get-session')!(ourEvent);
    expect(reply).toMatchObject({ ok: true, value: { state: 'signed-in' } });
  });

  it('a subframe, another web contents or a vanished frame is refused (E10)', async () => {
    const ipcMain = fakeIpcMain();
    registerIpc(build().handlers, ipcMain);
    const handler = ipcMain.handlers.get('auth:get-session')!;
    const subframe = { sender: { id: 3 }, senderFrame: { url: 'app://app/index.html', parent: mainFrame } };
    const otherContents = { sender: { id: 4 }, senderFrame: mainFrame };
    const gone = { sender: { id: 3 }, senderFrame: null };
    for (const event of [subframe, otherContents, gone]) {
      expect(await handler(event)).toMatchObject({ ok: false, error: { code: 'ipc_forbidden' } });
    }
  });

  it('forwards every argument, so extra ones are refused rather than ignored', async () => {
    const ipcMain = fakeIpcMain();
    registerIpc(build().handlers, ipcMain);
    const reply = await ipcMain.handlers.get('auth:call-api')!(ourEvent, { url: 'https://a.test/' }, 'extra');
    expect(reply).toMatchObject({ ok: false, error: { code: 'ipc_invalid' } });
  });
});

describe('senderInfoFromEvent', () => {
  it('treats a senderFrame getter that throws as a frame that is gone', () => {
    const event = {
      sender: { id: 9 },
      get senderFrame(): { url: string; parent: unknown } {
        throw new Error('Render frame was disposed before WebFrameMain could be accessed');
      },
    };
    expect(senderInfoFromEvent(event)).toEqual({ webContentsId: 9, frameUrl: null, isMainFrame: false });
  });
});

describe('publishSessionChanges', () => {
  it('sends each change to our window only, as a projected view', () => {
    const session = createFakeSession();
    const sent: Array<[string, unknown]> = [];
    const ours = { send: (c: string, p: unknown) => sent.push([c, p]), isDestroyed: () => false };
    const stop = publishSessionChanges(session, () => ours, { apiOrigins: ['https://api.test'] });
    session.set({ state: 'signing-in' });
    expect(sent).toHaveLength(1);
    expect(sent[0]![0]).toBe(EVENT_CHANNELS.sessionChanged);
    expect(sent[0]![1]).toMatchObject({ state: 'signing-in', apiOrigins: ['https://api.test'] });
    stop();
    session.set({ state: 'signed-out' });
    expect(sent).toHaveLength(1);
  });

  it('skips a destroyed or missing window instead of throwing', () => {
    const session = createFakeSession();
    let target: { send(): void; isDestroyed(): boolean } | null = {
      send: () => {
        throw new Error('Object has been destroyed');
      },
      isDestroyed: () => true,
    };
    publishSessionChanges(session, () => target, { apiOrigins: [] });
    expect(() => session.set({ state: 'signing-in' })).not.toThrow();
    target = null;
    expect(() => session.set({ state: 'signed-out' })).not.toThrow();
  });
});
