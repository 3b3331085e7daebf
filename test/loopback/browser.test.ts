/**
 * The receiver as chromium sees it (CHECKLIST L24): the 303 takes the code out of the address
 * bar, the outcome page renders with its stylesheet allowed by the CSP hash, and nothing is refused.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type SystemBrowser, startSystemBrowser } from '../support/browser';
import { callbackUrl, start } from './helpers';

let browser: SystemBrowser | undefined;
afterEach(async () => {
  await browser?.close();
  browser = undefined;
});

describe('loopback receiver: in a real browser', () => {
  it('L24 the 303 leaves a clean address bar and the outcome page renders styled under its CSP', async () => {
    browser = await startSystemBrowser();
    const { receiver, state } = await start();
    const page = await browser.context.newPage();
    const consoleErrors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });

    // String expressions: this tsconfig has no DOM types (main-process code must not reach for them).
    const historyBefore = await page.evaluate<number>('history.length');
    const navigation = page.goto(callbackUrl(receiver, `code=browser-code&state=${state}`));
    expect((await receiver.callback).searchParams.get('code')).toBe('browser-code');
    receiver.finish('success');
    const response = await navigation;

    expect(response?.status()).toBe(200);
    expect(page.url()).toBe(receiver.redirectUri);
    expect(await page.textContent('h1')).toBe('Signed in');
    expect(await page.textContent('p')).toBe(
      'You are signed in to oauth-desktop. You can close this tab and return to the app.',
    );
    // The accent colour comes from the inline stylesheet: it applied, so the CSP hash is right.
    expect(await page.evaluate<string>("getComputedStyle(document.querySelector('h1')).color")).toBe('rgb(31, 136, 61)');
    // One navigation, one history entry, and it is the clean URL: the callback URL with the code
    // was replaced by the 303, not stacked in history.
    expect(await page.evaluate<number>('history.length')).toBe(historyBefore + 1);
    expect(consoleErrors).toEqual([]);
    await receiver.closed;
  });
});
