/**
 * The controller: holds the {@link UiModel}, turns clicks into `window.auth` calls (through the
 * api object it is given — it never reads `window.auth` itself), and re-renders.
 *
 * Focus management: when the screen changes, focus moves to the new screen's heading and the
 * change is announced in the live region; when the same screen re-renders (a timer, a session
 * event), focus and the caret stay where the user left them.
 */
import type { AuthApi, IpcError } from '../../preload/contract';
import { replaceIfChanged } from './dom';
import { codeExpiryText, hostOf } from './format';
import { describeError, isQuietError } from './messages';
import { type Action, defaultApiUrl, type ScreenKey, screenOf, type UiActions, type UiModel } from './model';
import { announcementFor, renderBanners, renderScreen } from './view';

/** The page's fixed elements (renderer/index.html). */
export interface AppElements {
  screen: HTMLElement;
  banners: HTMLElement;
  announcer: HTMLElement;
  provider: HTMLElement;
}

/** Starts the UI over `api`; returns a function that stops timers and listeners. */
export function startApp(api: AuthApi, el: AppElements): () => void {
  const model: UiModel = {
    session: null,
    fatal: null,
    pending: new Set(),
    notice: null,
    apiResult: null,
    apiUrl: null,
    now: Date.now(),
    copiedCode: null,
  };
  let shown: ScreenKey | null = null;
  /** The device user code last announced, and the one whose "expires in a minute" was said. */
  let announcedCode: string | null = null;
  let warnedCode: string | null = null;
  let copiedTimer: number | undefined;

  const pendingDeviceCode = () => (model.session?.signIn?.kind === 'device' ? model.session.signIn : null);

  const setPending = (action: Action, on: boolean) => {
    const next = new Set(model.pending);
    if (on) next.add(action);
    else next.delete(action);
    model.pending = next;
  };

  const announce = (text: string) => {
    if (!text) return;
    // Clearing first makes screen readers repeat an identical message.
    el.announcer.textContent = '';
    window.setTimeout(() => {
      el.announcer.textContent = text;
    }, 50);
  };

  const showError = (error: IpcError) => {
    if (isQuietError(error)) return;
    const { title, detail } = describeError(error);
    model.notice = { tone: 'error', title, detail, code: error.code };
    announce(`${title}. ${detail}`);
  };

  const render = () => {
    const screen = screenOf(model);
    const notice = model.notice;
    if (notice?.screen && notice.screen !== screen && notice.givenOn !== screen) model.notice = null;
    const active = document.activeElement as HTMLElement | null;
    const focusKey = active?.dataset.focusKey;
    const selection =
      active instanceof HTMLInputElement ? { start: active.selectionStart, end: active.selectionEnd } : null;

    el.provider.textContent = model.session ? hostOf(model.session.issuer) : '';
    el.screen.dataset.screen = screen;
    el.screen.setAttribute('aria-busy', screen === 'loading' ? 'true' : 'false');
    replaceIfChanged(el.banners, renderBanners(model, actions));
    replaceIfChanged(el.screen, renderScreen(screen, model, actions));

    const code = pendingDeviceCode()?.userCode ?? null;
    if (screen !== shown) {
      // The first real screen after "Loading…" is the page opening: focus stays at the top.
      const first = shown === null || shown === 'loading';
      shown = screen;
      const target =
        (screen === 'offline' ? el.banners.querySelector<HTMLElement>('[data-focus-key="retry"]') : null) ??
        el.screen.querySelector<HTMLElement>('[data-autofocus]');
      if (!first && target) target.focus();
      if (!first || screen !== 'loading') announce(announcementFor(screen, model));
      announcedCode = code;
      return;
    }
    if (screen === 'device-code' && code !== announcedCode) {
      // The code arrived on the screen that was waiting for it: say it, once.
      announcedCode = code;
      announce(announcementFor(screen, model));
    }
    if (focusKey) {
      const again = document.querySelector<HTMLElement>(`[data-focus-key="${focusKey}"]`);
      if (again) {
        again.focus();
        if (again instanceof HTMLInputElement && selection) again.setSelectionRange(selection.start, selection.end);
      }
    }
  };

  /** Runs one api call with its pending flag; errors become a notice. */
  const run = async <T>(action: Action, call: () => Promise<{ ok: true; value: T } | { ok: false; error: IpcError }>) => {
    if (model.pending.has(action)) return null;
    setPending(action, true);
    model.notice = null;
    render();
    try {
      const result = await call();
      if (!result.ok) {
        showError(result.error);
        return null;
      }
      return result.value;
    } finally {
      setPending(action, false);
      render();
    }
  };

  const actions: UiActions = {
    signIn: () => {
      void run('sign-in', () => api.signIn());
    },
    signInWithDevice: () => {
      // Resolves when the sign-in ends; the code arrives meanwhile as session events.
      void run('device-sign-in', () => api.signInWithDevice());
    },
    copyDeviceCode: () => {
      const code = pendingDeviceCode()?.userCode ?? null;
      void run('copy-code', () => api.copyDeviceCode()).then((value) => {
        if (!value) return;
        if (!value.copied) {
          model.notice = { tone: 'info', title: 'No sign-in is waiting any more.' };
          announce(model.notice.title);
          render();
          return;
        }
        model.copiedCode = code;
        announce('Code copied.');
        render();
        window.clearTimeout(copiedTimer);
        copiedTimer = window.setTimeout(() => {
          model.copiedCode = null;
          render();
        }, 2500);
      });
    },
    openDevicePage: () => {
      void run('open-device-page', () => api.openDevicePage()).then((value) => {
        if (value === null) {
          model.notice = { tone: 'info', title: 'Opened the page in your browser.', detail: 'Enter the code there.', screen: 'device-code' };
          announce(`${model.notice.title} ${model.notice.detail}`);
          render();
        }
      });
    },
    cancelSignIn: () => {
      void run('cancel', () => api.cancelSignIn()).then((value) => {
        if (value === null) {
          // The session reports "signed out" after this reply: the notice waits for that screen.
          model.notice = { tone: 'info', title: 'Sign-in cancelled.', screen: 'signed-out', givenOn: screenOf(model) };
          render();
        }
      });
    },
    reopenBrowser: () => {
      void run('reopen', () => api.reopenBrowser()).then((value) => {
        if (value === null) {
          model.notice = { tone: 'info', title: 'Opened the sign-in page again in your browser.', screen: 'signing-in' };
          announce(model.notice.title);
          render();
        }
      });
    },
    copySignInLink: () => {
      void run('copy', () => api.copySignInLink()).then((value) => {
        if (!value) return;
        model.notice = value.copied
          ? { tone: 'success', title: 'Link copied.', detail: "Paste it into your browser's address bar to continue.", screen: 'signing-in' }
          : { tone: 'info', title: 'No sign-in is waiting any more.' };
        announce(`${model.notice.title} ${model.notice.detail ?? ''}`);
        render();
      });
    },
    signOut: () => {
      void run('sign-out', () => api.signOut()).then((report) => {
        if (!report) return;
        model.apiResult = null;
        model.apiUrl = null;
        if (!report.localTokensDeleted) {
          model.notice = {
            tone: 'error',
            title: "Couldn't remove your sign-in from the keychain",
            detail: 'Open your keychain app and delete the "oauth-desktop" entry, or try signing out again.',
          };
        } else if (report.revocation === 'failed') {
          model.notice = {
            tone: 'info',
            title: "You're signed out on this computer.",
            detail: "The provider couldn't be told right now; the old session there will expire on its own.",
            screen: 'signed-out',
          };
        } else {
          model.notice = { tone: 'success', title: "You're signed out.", screen: 'signed-out' };
        }
        render();
      });
    },
    callApi: () => {
      // Not through `run`: this call's failure belongs next to its result, not in the page notice.
      if (model.pending.has('call-api')) return;
      const url = (model.apiUrl ?? defaultApiUrl(model.session)).trim();
      setPending('call-api', true);
      render();
      void api
        .callApi({ url, method: 'GET' })
        .then((result) => {
          model.apiResult = result.ok
            ? { kind: 'response', url, response: result.value }
            : { kind: 'error', url, error: result.error };
          announce(result.ok ? `The API answered with HTTP ${result.value.status}.` : describeError(result.error).title);
        })
        .finally(() => {
          setPending('call-api', false);
          render();
        });
    },
    retry: () => {
      void run('retry', () => api.retry()).then((session) => {
        if (session?.state === 'offline') {
          model.notice = { tone: 'info', title: 'Still offline.', detail: 'The app keeps trying by itself.', screen: 'offline' };
          announce(`${model.notice.title} ${model.notice.detail}`);
          render();
        }
      });
    },
    setApiUrl: (value) => {
      model.apiUrl = value;
    },
    dismissNotice: () => {
      model.notice = null;
      render();
      el.screen.querySelector<HTMLElement>('[data-autofocus]')?.focus();
    },
  };

  const unsubscribe = api.onSessionChanged((session) => {
    const before = model.session;
    model.session = session;
    model.fatal = null;
    // A different (or no) account: the previous API answer is not theirs.
    if (before?.account?.sub !== session.account?.sub) {
      model.apiResult = null;
      model.apiUrl = null;
    }
    render();
  });

  void api.getSession().then((result) => {
    if (result.ok) {
      // An event may have arrived first; it is at least as new.
      model.session ??= result.value;
    } else {
      model.fatal = result.error;
    }
    render();
  });

  /**
   * Once a second: the device code's countdown, updated in place (rebuilding the screen would drop
   * a selection of the code); every 15 s a full render for the relative times of other screens.
   * Both read the same `model.now`, so a render leaves an up-to-date countdown untouched.
   */
  let ticks = 0;
  const timer = window.setInterval(() => {
    model.now = Date.now();
    ticks += 1;
    for (const timerEl of el.screen.querySelectorAll<HTMLElement>('[data-countdown-until]')) {
      const text = codeExpiryText(Number(timerEl.dataset.countdownUntil), model.now);
      if (timerEl.textContent !== text) timerEl.textContent = text;
    }
    const pending = pendingDeviceCode();
    if (pending && warnedCode !== pending.userCode && pending.expiresAt - model.now <= 60_000 && pending.expiresAt > model.now) {
      warnedCode = pending.userCode;
      announce('The code expires in less than a minute.');
    }
    if (ticks % 15 === 0) render();
  }, 1_000);

  render();
  return () => {
    unsubscribe();
    window.clearInterval(timer);
    window.clearTimeout(copiedTimer);
  };
}
