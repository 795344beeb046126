import { existsSync } from 'node:fs';
import sparticuz from '@sparticuz/chromium';
import { type Browser, chromium, type Page } from 'playwright-core';

/**
 * The browser the page tests drive: a headless Chromium from npm (@sparticuz/chromium, no system package)
 * through playwright-core, or another one at CHROMIUM_PATH (e.g. a system one).
 */
export const UI_TIMEOUT_MS = 45_000;

export const launchBrowser = async (): Promise<Browser> => {
  const path = process.env.CHROMIUM_PATH;
  if (path !== undefined && !existsSync(path)) throw new Error(`no chromium at ${path}`);
  // Not sparticuz's Lambda flags: --single-process allows one page per browser, --disable-web-security would let
  // the page break the rules the tests check. Chromium refuses to start its sandbox as root (CI runs as root).
  return chromium.launch({
    executablePath: path ?? (await sparticuz.executablePath()),
    headless: true,
    args: process.getuid?.() === 0 ? ['--no-sandbox'] : [],
  });
};

/**
 * A page that records every script error and every console error (CSP violations land there), except
 * Chromium's note on each HTTP error answer, which the tests provoke on purpose (404, 409 sold out...).
 */
export const openPage = async (
  browser: Browser,
  options: { width: number; height: number; locale?: string } = { width: 1280, height: 900 },
): Promise<{ page: Page; problems: string[] }> => {
  const page = await browser.newPage({
    viewport: { width: options.width, height: options.height },
    ...(options.locale === undefined ? {} : { locale: options.locale }),
  });
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource'))
      problems.push(`console: ${message.text()}`);
  });
  return { page, problems };
};

/** Waits until the first element matching `selector` has exactly this text, or text matching this pattern. */
export const waitForText = (page: Page, selector: string, expected: string | RegExp) =>
  page.waitForFunction(
    ([css, source, flags]) => {
      const actual = document.querySelector(css)?.textContent?.trim() ?? '';
      return flags === null ? actual === source : new RegExp(source, flags).test(actual);
    },
    [
      selector,
      expected instanceof RegExp ? expected.source : expected,
      expected instanceof RegExp ? expected.flags : null,
    ] as const,
    { timeout: UI_TIMEOUT_MS },
  );

export const text = async (page: Page, selector: string) =>
  ((await page.locator(selector).first().textContent()) ?? '').trim();
