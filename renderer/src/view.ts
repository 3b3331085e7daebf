/**
 * One function per screen, plus the banners (offline, clock skew, keychain). Pure DOM builders over
 * the {@link UiModel}; the controller (app.ts) decides when to call them.
 *
 * Accessibility: every screen starts with a heading that receives focus when the screen changes
 * (`data-autofocus`); interactive elements carry a `data-focus-key` so focus survives re-renders;
 * busy buttons use `aria-disabled` + `aria-busy` instead of `disabled`, which would throw focus
 * away to the page body.
 */
import type { AccountView, SessionView } from '../../preload/contract';
import { h } from './dom';
import { clockTime, codeExpiryText, displayAddress, hostOf, initials, prettyBody, relativeTime, spellCode } from './format';
import { describeError, isQuietError } from './messages';
import { type Action, defaultApiUrl, isRetryingOffline, type ScreenKey, screenOf, type UiActions, type UiModel } from './model';

type ButtonKind = 'primary' | 'secondary' | 'quiet';

function button(
  label: string,
  kind: ButtonKind,
  focusKey: string,
  onClick: () => void,
  model: UiModel,
  action?: Action,
  extra: Record<string, string> = {},
): HTMLButtonElement {
  const busy = action !== undefined && model.pending.has(action);
  return h(
    'button',
    {
      type: 'button',
      class: `btn btn-${kind}`,
      'data-focus-key': focusKey,
      'aria-disabled': busy ? 'true' : null,
      'aria-busy': busy ? 'true' : null,
      onclick: () => {
        if (!busy) onClick();
      },
      ...extra,
    },
    busy ? h('span', { class: 'btn-spinner', 'aria-hidden': 'true' }) : null,
    label,
  );
}

function heading(text: string, level: 'h1' | 'h2' = 'h1'): HTMLElement {
  return h(level, { class: 'screen-title', tabindex: '-1', 'data-autofocus': 'true', 'data-focus-key': 'screen-title' }, text);
}

function noticeView(screen: ScreenKey, model: UiModel, actions: UiActions): HTMLElement | null {
  const n = model.notice;
  if (!n || (n.screen && n.screen !== screen)) return null;
  return h(
    'div',
    { class: `notice notice-${n.tone}`, role: n.tone === 'error' ? 'alert' : null },
    h('div', { class: 'notice-text' }, h('strong', {}, n.title), n.detail ? h('p', {}, n.detail) : null),
    button('Dismiss', 'quiet', 'dismiss-notice', actions.dismissNotice, model, undefined, { 'aria-label': 'Dismiss message' }),
  );
}

function errorBox(title: string, detail: string, extraClass = ''): HTMLElement {
  return h(
    'div',
    { class: `notice notice-error ${extraClass}`.trim() },
    h('div', { class: 'notice-text' }, h('strong', {}, title), detail ? h('p', {}, detail) : null),
  );
}

function lastErrorView(model: UiModel): HTMLElement | null {
  const e = model.session?.lastError;
  // Already on screen as the answer to what the user just did.
  if (!e || isQuietError(e) || model.notice?.code === e.code) return null;
  const { title, detail } = describeError(e);
  return errorBox(title, detail);
}

function accountCard(account: AccountView, badge: string | null): HTMLElement {
  const display = account.name ?? account.email ?? account.sub;
  return h(
    'div',
    { class: 'account' },
    h('div', { class: 'avatar', 'aria-hidden': 'true' }, initials(account.name, account.email, account.sub)),
    h(
      'div',
      { class: 'account-text' },
      h('p', { class: 'account-name' }, display, badge ? h('span', { class: 'badge' }, badge) : null),
      account.email && account.email !== display ? h('p', { class: 'account-email' }, account.email) : null,
    ),
  );
}

function renewalText(session: SessionView, now: number): string {
  if (isRetryingOffline(session)) {
    return session.nextRefreshAt
      ? `Next attempt at ${clockTime(session.nextRefreshAt)} (${relativeTime(session.nextRefreshAt, now)})`
      : 'Waiting for the network';
  }
  if (session.state === 'refreshing') return 'Renewing now…';
  const at = session.nextRefreshAt ?? session.accessTokenExpiresAt;
  if (!at) return 'When you next use it';
  return at <= now ? 'Renewing shortly' : `At ${clockTime(at)} (${relativeTime(at, now)})`;
}

function details(session: SessionView, now: number): HTMLElement {
  const row = (term: string, ...value: (Node | string)[]) => [h('dt', {}, term), h('dd', {}, ...value)];
  return h(
    'dl',
    { class: 'details' },
    ...row('Provider', hostOf(session.issuer)),
    ...row(
      'Permissions',
      session.scopes.length
        ? h('ul', { class: 'chips', 'aria-label': 'Granted permissions' }, ...session.scopes.map((s) => h('li', { class: 'chip' }, s)))
        : 'None reported',
    ),
    ...row('Session renews', renewalText(session, now)),
    ...row('Stored in', session.memoryOnly || !session.storage.available ? 'Memory only, until you quit' : session.storage.backend),
  );
}

function apiSection(model: UiModel, actions: UiActions): HTMLElement {
  const session = model.session!;
  const url = model.apiUrl ?? defaultApiUrl(session);
  const configured = session.apiOrigins.length > 0;
  const result = model.apiResult;
  let resultView: HTMLElement | null = null;
  if (result?.kind === 'response') {
    const okStatus = result.response.status >= 200 && result.response.status < 300;
    resultView = h(
      'div',
      { class: 'api-result' },
      h(
        'p',
        { class: 'api-status' },
        h('span', { class: `status ${okStatus ? 'status-ok' : 'status-bad'}` }, `HTTP ${result.response.status}`),
        ` ${result.response.headers['content-type'] ?? ''}`,
      ),
      h('pre', { class: 'api-body', tabindex: '0', 'aria-label': 'API response' }, prettyBody(result.response.body) || '(empty)'),
    );
  } else if (result?.kind === 'error') {
    const { title, detail } = describeError(result.error);
    resultView = errorBox(title, detail, 'api-result');
  }
  return h(
    'section',
    { class: 'api', 'aria-labelledby': 'api-title' },
    h('h2', { id: 'api-title', class: 'section-title' }, 'Protected API'),
    configured
      ? h(
          'form',
          {
            class: 'api-form',
            onsubmit: (event: Event) => {
              event.preventDefault();
              actions.callApi();
            },
          },
          h('label', { for: 'api-url', class: 'field-label' }, 'Address'),
          h(
            'div',
            { class: 'api-row' },
            h('input', {
              id: 'api-url',
              class: 'field',
              type: 'url',
              value: url,
              spellcheck: 'false',
              autocomplete: 'off',
              'data-focus-key': 'api-url',
              'aria-describedby': 'api-hint',
              oninput: (event: Event) => actions.setApiUrl((event.target as HTMLInputElement).value),
            }),
            h(
              'button',
              {
                type: 'submit',
                class: 'btn btn-secondary',
                'data-focus-key': 'call-api',
                'aria-disabled': model.pending.has('call-api') ? 'true' : null,
                'aria-busy': model.pending.has('call-api') ? 'true' : null,
              },
              model.pending.has('call-api') ? h('span', { class: 'btn-spinner', 'aria-hidden': 'true' }) : null,
              'Call API',
            ),
          ),
          h(
            'p',
            { id: 'api-hint', class: 'hint' },
            `The app adds your access token itself, and only for ${session.apiOrigins.join(', ')}.`,
          ),
        )
      : h('p', { class: 'hint' }, 'No API is configured (set OAUTH_API_ORIGINS).'),
    h('div', { class: 'api-output', 'aria-live': 'polite' }, resultView),
  );
}

/** "Sign in with a code on another device", only when the device flow is switched on (RFC 8628 §5.4). */
function deviceSignInOption(model: UiModel, actions: UiActions): HTMLElement | null {
  if (!model.session?.deviceFlowEnabled) return null;
  return h(
    'div',
    { class: 'alt-sign-in' },
    h('p', { class: 'divider', 'aria-hidden': 'true' }, h('span', {}, 'or')),
    button('Sign in with a code on another device', 'secondary', 'device-sign-in', actions.signInWithDevice, model, 'device-sign-in', {
      'aria-describedby': 'device-sign-in-hint',
    }),
    h(
      'p',
      { class: 'hint', id: 'device-sign-in-hint' },
      "When this computer can't open a browser: enter a code on your phone or another computer instead.",
    ),
  );
}

function signedOutScreen(model: UiModel, actions: UiActions): HTMLElement[] {
  const s = model.session!;
  return [
    h('div', { class: 'hero-mark', 'aria-hidden': 'true' }),
    heading('Sign in'),
    h(
      'p',
      { class: 'lead' },
      `Sign in with your account at ${hostOf(s.issuer)}. Your browser opens the provider's own page — this app never sees your password.`,
    ),
    lastErrorView(model),
    h('div', { class: 'actions' }, button('Sign in with your browser', 'primary', 'sign-in', actions.signIn, model, 'sign-in')),
    deviceSignInOption(model, actions),
  ].filter((x): x is HTMLElement => x !== null);
}

/**
 * Device sign-in (RFC 8628 §3.3): the user code, large and selectable, where to enter it, a live
 * countdown, and the phishing warning of §5.4 in one sentence. The countdown's text is updated in
 * place every second by the controller (`data-countdown-until`), so the screen is not rebuilt —
 * a selection of the code, or a click in progress, survives.
 */
function deviceScreen(model: UiModel, actions: UiActions): HTMLElement[] {
  const s = model.session!;
  const pending = s.signIn?.kind === 'device' ? s.signIn : null;
  const cancel = h('div', { class: 'actions' }, button('Cancel', 'quiet', 'cancel', actions.cancelSignIn, model, 'cancel'));
  if (!pending) {
    return [
      h('div', { class: 'progress', 'aria-hidden': 'true' }, h('span', { class: 'progress-ring' })),
      heading('Sign in on another device'),
      h('p', { class: 'lead' }, `Getting a code from ${hostOf(s.issuer)}…`),
      cancel,
    ];
  }
  const copied = model.copiedCode === pending.userCode;
  return [
    heading('Sign in on another device'),
    h(
      'div',
      { class: 'device-where' },
      h('p', { class: 'lead' }, 'On your phone or another computer, go to'),
      h('p', { class: 'device-uri', id: 'device-uri' }, displayAddress(pending.verificationUri)),
      h('p', { class: 'lead' }, 'and enter this code:'),
    ),
    h(
      'div',
      { class: 'device-code-box' },
      h(
        'p',
        { class: 'device-code', id: 'device-code' },
        // Screen readers get the code spelled out; the visible code stays one selectable word.
        h('span', { class: 'device-code-value', 'aria-hidden': 'true', translate: 'no' }, pending.userCode),
        h('span', { class: 'visually-hidden' }, `Code: ${spellCode(pending.userCode)}`),
      ),
      h(
        'p',
        { class: 'device-expiry', role: 'timer', 'data-countdown-until': String(pending.expiresAt) },
        codeExpiryText(pending.expiresAt, model.now),
      ),
    ),
    h(
      'div',
      { class: 'actions' },
      button(copied ? 'Copied' : 'Copy code', 'primary', 'copy-code', actions.copyDeviceCode, model, 'copy-code'),
      button('Open this page', 'secondary', 'open-device-page', actions.openDevicePage, model, 'open-device-page', {
        'aria-describedby': 'device-uri',
      }),
    ),
    h(
      'p',
      { class: 'device-warning' },
      h('span', { class: 'warning-icon', 'aria-hidden': 'true' }),
      h('span', {}, "Only enter this code on the provider's own page, and only because you started this sign-in."),
    ),
    h(
      'p',
      { class: 'device-waiting' },
      h('span', { class: 'btn-spinner', 'aria-hidden': 'true' }),
      'This window updates by itself when you’re done.',
    ),
    cancel,
  ];
}

function signingInScreen(model: UiModel, actions: UiActions): HTMLElement[] {
  const s = model.session!;
  const pending = s.signIn;
  const browserFailed = pending?.kind === 'browser' && !pending.browserOpened;
  return [
    h('div', { class: 'progress', 'aria-hidden': 'true' }, h('span', { class: 'progress-ring' })),
    heading('Finish signing in in your browser'),
    h(
      'p',
      { class: 'lead' },
      browserFailed
        ? `Your browser didn't open. Copy the sign-in link and paste it into your browser's address bar.`
        : `The sign-in page of ${hostOf(s.issuer)} is open in your browser. This window updates by itself when you're done.`,
    ),
    pending?.kind === 'browser' ? h('p', { class: 'hint' }, `The sign-in link works until ${clockTime(pending.expiresAt)}.`) : null,
    h(
      'div',
      { class: 'actions' },
      button('Open the browser again', browserFailed ? 'secondary' : 'primary', 'reopen', actions.reopenBrowser, model, 'reopen'),
      button('Copy link', browserFailed ? 'primary' : 'secondary', 'copy', actions.copySignInLink, model, 'copy'),
      button('Cancel', 'quiet', 'cancel', actions.cancelSignIn, model, 'cancel'),
    ),
  ].filter((x): x is HTMLElement => x !== null);
}

function signedInScreen(model: UiModel, actions: UiActions): HTMLElement[] {
  const s = model.session!;
  const account = s.account!;
  return [
    heading(`Signed in`),
    accountCard(account, s.state === 'refreshing' ? 'Renewing' : null),
    details(s, model.now),
    lastErrorView(model),
    apiSection(model, actions),
    h('div', { class: 'actions actions-end' }, button('Sign out', 'secondary', 'sign-out', actions.signOut, model, 'sign-out')),
  ].filter((x): x is HTMLElement => x !== null);
}

function offlineScreen(model: UiModel, actions: UiActions): HTMLElement[] {
  const s = model.session!;
  return [
    heading('Signed in, offline'),
    accountCard(s.account!, 'Offline'),
    details(s, model.now),
    apiSection(model, actions),
    h(
      'div',
      { class: 'actions actions-end' },
      button('Sign out', 'secondary', 'sign-out', actions.signOut, model, 'sign-out'),
    ),
  ];
}

function storageUnavailableScreen(model: UiModel, actions: UiActions): HTMLElement[] {
  const s = model.session!;
  return [
    h('div', { class: 'hero-mark hero-warning', 'aria-hidden': 'true' }),
    heading("Your keychain isn't available"),
    h(
      'p',
      { class: 'lead' },
      `The app keeps your sign-in in the system keychain (${s.storage.backend}) and nowhere else — never in a plain file. Right now it can't be used.`,
    ),
    s.storage.detail ? h('p', { class: 'detail' }, s.storage.detail) : null,
    h(
      'div',
      { class: 'howto' },
      h('h2', { class: 'section-title' }, 'What you can do'),
      h(
        'ul',
        {},
        h('li', {}, 'Unlock your keychain, or install one (on Linux: GNOME Keyring or KWallet), then restart the app.'),
        h('li', {}, "Or sign in anyway: the session then lasts until you quit the app, and you'll sign in again next time."),
      ),
    ),
    h('div', { class: 'actions' }, button('Sign in for this session only', 'primary', 'sign-in', actions.signIn, model, 'sign-in')),
    deviceSignInOption(model, actions),
  ].filter((x): x is HTMLElement => x !== null);
}

function unavailableScreen(model: UiModel): HTMLElement[] {
  const e = model.fatal;
  return [
    heading("The app can't start"),
    h(
      'p',
      { class: 'lead' },
      e?.message ?? 'This page must run inside the OAuth Desktop app, which provides its sign-in functions.',
    ),
  ];
}

/** The card's content for a screen. */
export function renderScreen(screen: ScreenKey, model: UiModel, actions: UiActions): HTMLElement[] {
  const body = (() => {
    switch (screen) {
      case 'loading':
        return [h('p', { class: 'loading' }, 'Loading…')];
      case 'unavailable':
        return unavailableScreen(model);
      case 'signed-out':
        return signedOutScreen(model, actions);
      case 'signing-in':
        return signingInScreen(model, actions);
      case 'device-code':
        return deviceScreen(model, actions);
      case 'signed-in':
        return signedInScreen(model, actions);
      case 'offline':
        return offlineScreen(model, actions);
      case 'storage-unavailable':
        return storageUnavailableScreen(model, actions);
    }
  })();
  const notice = noticeView(screen, model, actions);
  return notice ? [notice, ...body] : body;
}

/** Banners above the card: offline (with Retry), clock skew, memory-only session. */
export function renderBanners(model: UiModel, actions: UiActions): HTMLElement[] {
  const s = model.session;
  if (!s) return [];
  const banners: HTMLElement[] = [];
  if (screenOf(model) === 'offline') {
    banners.push(
      h(
        'section',
        { class: 'banner banner-offline', 'aria-labelledby': 'offline-title' },
        h('span', { class: 'banner-icon', 'aria-hidden': 'true' }),
        h(
          'div',
          { class: 'banner-text' },
          h('h2', { id: 'offline-title', class: 'banner-title' }, "You're offline"),
          h(
            'p',
            {},
            `Can't reach ${hostOf(s.issuer)}. You're still signed in and nothing was deleted; the app tries again by itself${
              s.nextRefreshAt ? ` at ${clockTime(s.nextRefreshAt)}` : ''
            } and when your network comes back.`,
          ),
        ),
        button('Retry now', 'primary', 'retry', actions.retry, model, 'retry'),
      ),
    );
  }
  if (s.clockSkew) {
    banners.push(
      h(
        'section',
        { class: 'banner banner-warning', 'aria-labelledby': 'clock-title' },
        h('span', { class: 'banner-icon', 'aria-hidden': 'true' }),
        h(
          'div',
          { class: 'banner-text' },
          h('h2', { id: 'clock-title', class: 'banner-title' }, 'Check your clock'),
          h('p', {}, `${s.clockSkew.message} Turn on automatic date and time in your system settings.`),
        ),
      ),
    );
  }
  if (s.account && (s.memoryOnly || !s.storage.available)) {
    banners.push(
      h(
        'section',
        { class: 'banner banner-warning', 'aria-labelledby': 'storage-title' },
        h('span', { class: 'banner-icon', 'aria-hidden': 'true' }),
        h(
          'div',
          { class: 'banner-text' },
          h('h2', { id: 'storage-title', class: 'banner-title' }, 'Signed in for this session only'),
          h('p', {}, `Your keychain (${s.storage.backend}) isn't available, so nothing was saved. You'll need to sign in again after you quit.`),
          s.storage.detail ? h('p', { class: 'banner-detail' }, s.storage.detail) : null,
        ),
      ),
    );
  }
  return banners;
}

/** What a screen reader hears when the screen changes. */
export function announcementFor(screen: ScreenKey, model: UiModel): string {
  const s = model.session;
  const who = s?.account ? (s.account.name ?? s.account.email ?? s.account.sub) : '';
  switch (screen) {
    case 'signed-out':
      return 'Signed out.';
    case 'signing-in':
      return 'Waiting for you to finish signing in in your browser.';
    case 'device-code': {
      const pending = s?.signIn?.kind === 'device' ? s.signIn : null;
      if (!pending) return 'Getting a code to sign in on another device.';
      return `Sign in on another device. Go to ${displayAddress(pending.verificationUri)} and enter the code ${spellCode(pending.userCode)}.`;
    }
    case 'signed-in':
      return `Signed in as ${who}.`;
    case 'offline':
      return `You're offline. Still signed in as ${who}.`;
    case 'storage-unavailable':
      return "Your keychain isn't available.";
    case 'unavailable':
      return "The app can't start.";
    default:
      return '';
  }
}
