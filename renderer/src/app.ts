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
import { hostOf } from './format';
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
  };
  let shown: ScreenKey | null = null;

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
    if (model.notice?.screen && model.notice.screen !== screen) model.notice = null;
    const active = document.activeElement as HTMLElement | null;
    const focusKey = active?.dataset.focusKey;
    const selection =
      active instanceof HTMLInputElement ? { start: active.selectionStart, end: active.selectionEnd } : null;

    el.provider.textContent = model.session ? hostOf(model.session.issuer) : '';
    el.screen.dataset.screen = screen;
    el.screen.setAttribute('aria-busy', screen === 'loading' ? 'true' : 'false');
    replaceIfChanged(el.banners, renderBanners(model, actions));
    replaceIfChanged(el.screen, renderScreen(screen, model, actions));

    if (screen !== shown) {
      // The first real screen after "Loading…" is the page opening: focus stays at the top.
      const first = shown === null || shown === 'loading';
      shown = screen;
      const target =
        (screen === 'offline' ? el.banners.querySelector<HTMLElement>('[data-focus-key="retry"]') : null) ??
        el.screen.querySelector<HTMLElement>('[data-autofocus]');
      if (!first && target) target.focus();
      if (!first || screen !== 'loading') announce(announcementFor(screen, model));
    } else if (focusKey) {
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
    cancelSignIn: () => {
      void run('cancel', () => api.cancelSignIn()).then((value) => {
        if (value === null) {
          model.notice = { tone: 'info', title: 'Sign-in cancelled.', screen: 'signed-out' };
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

  const timer = window.setInterval(() => {
    model.now = Date.now();
    render();
  }, 15_000);

  render();
  return () => {
    unsubscribe();
    window.clearInterval(timer);
  };
}
