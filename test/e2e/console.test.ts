import { mkdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_MESSAGES } from '../../lib/console/messages.js';
import { CONSOLE_CSP } from '../../lib/local/console.js';
import { launchBrowser, openPage as openBrowserPage, text, UI_TIMEOUT_MS, waitForText } from './browser.js';
import { Api, type Deal, killAll, type RuntimeProcess, startRuntimeProcess } from './support.js';

/**
 * The host console (issue 8) end to end: `npm start` as a child process, the page at /console driven by
 * a headless Chromium from npm (@sparticuz/chromium, no system package) through playwright-core, with the page's
 * Content-Security-Policy enforced. The browser
 * does what a host does: sign in, create a deal, start it, fire virtual viewers until it sells out, end it.
 */

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ARTIFACTS = join(REPO_ROOT, '.livedrop', 'artifacts');
const SCREENSHOT = join(ARTIFACTS, 'console.png');
const UNKNOWN_DEAL = '01ARZ3NDEKTSV4RRFFQ69G5FAV';

let dataDir: string;
let runtime: RuntimeProcess;
let api: Api;
let browser: Browser;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'livedrop-console-'));
  runtime = await startRuntimeProcess(dataDir);
  api = new Api(runtime.url);
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await killAll();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const openPage = () => openBrowserPage(browser);

const rawGet = (path: string): Promise<{ status: number; headers: Record<string, unknown>; body: string }> =>
  new Promise((resolve, reject) => {
    const url = new URL(runtime.url);
    const req = request({ host: url.hostname, port: url.port, path, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });

describe('the console files on the local runtime', () => {
  it('redirects /console to /console/ so the page’s relative links resolve', async () => {
    const reply = await fetch(`${runtime.url}/console`, { redirect: 'manual' });

    expect(reply.status).toBe(308);
    expect(reply.headers.get('location')).toBe('/console/');
  });

  it.each([
    ['/console/', 'text/html; charset=utf-8', '<title>livedrop · host console</title>'],
    ['/console/app.js', 'text/javascript; charset=utf-8', 'local/token'],
    ['/console/console.css', 'text/css; charset=utf-8', '--available'],
  ])('serves %s as %s with the CSP and revalidation', async (path, contentType, content) => {
    const reply = await fetch(`${runtime.url}${path}`);

    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toBe(contentType);
    expect(reply.headers.get('content-security-policy')).toBe(CONSOLE_CSP);
    expect(reply.headers.get('x-content-type-options')).toBe('nosniff');
    expect(reply.headers.get('cache-control')).toBe('no-cache');
    expect(await reply.text()).toContain(content);
  });

  it('says in config.json that the API is this origin and the local issuer is here', async () => {
    const reply = await fetch(`${runtime.url}/console/config.json`);

    expect(reply.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await reply.json()).toStrictEqual({ apiUrl: '', localIssuer: true });
  });

  it.each([
    '/console/%2e%2e/package.json',
    '/console/..%2fpackage.json',
    '/console/..%5cpackage.json',
    '/console/app.ts',
    '/console/build.ts',
    '/console//etc/passwd',
  ])('serves nothing outside the page’s own files for %s', async (path) => {
    const reply = await rawGet(path);

    expect(reply.status).toBe(404);
    expect(reply.body).not.toContain('"name": "livedrop"');
    expect(reply.body).not.toContain('import ');
  });

  it('answers HEAD like GET, without the body', async () => {
    const reply = await fetch(`${runtime.url}/console/app.js`, { method: 'HEAD' });

    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await reply.text()).toBe('');
  });

  it('answers 405 to anything but GET and HEAD', async () => {
    const reply = await fetch(`${runtime.url}/console/`, { method: 'POST', body: '{}' });

    expect(reply.status).toBe(405);
    expect(reply.headers.get('allow')).toBe('GET, HEAD');
  });
});

describe('the console’s error messages', () => {
  const domainCodes = [
    ...readFileSync(join(REPO_ROOT, 'functions/shared/domain/errors.ts'), 'utf8').matchAll(
      /readonly code = '([A-Z_]+)'/g,
    ),
  ].map((match) => match[1] as string);
  const readmeCodes = [
    ...readFileSync(join(REPO_ROOT, 'docs/api.md'), 'utf8').matchAll(/^\| \d{3} +\| `([A-Z_]+)` /gm),
  ].map((match) => match[1] as string);

  it('finds the codes to check (so the next check means something)', () => {
    expect(domainCodes).toContain('SOLD_OUT');
    expect(readmeCodes).toContain('SERVICE_UNAVAILABLE');
  });

  it('have a sentence for every code the engine and docs/api.md document', () => {
    const missing = [...new Set([...domainCodes, ...readmeCodes])].filter((code) => !ERROR_MESSAGES[code]);

    expect(missing).toStrictEqual([]);
  });
});

describe('a host in the browser', () => {
  it('signs in, creates a deal, starts it, sells it out to virtual viewers and ends it', {
    timeout: 180_000,
  }, async () => {
    const { page, problems } = await openPage();
    await page.goto(`${runtime.url}/console`);
    await page.locator('body[data-ready="true"]').waitFor({ timeout: UI_TIMEOUT_MS });

    // Sign in by name with the local issuer, as a host.
    await page.locator('#local-sign-in select[name=role]').selectOption('host');
    await page.locator('#local-sign-in button[type=submit]').click();
    await page.locator('#create-deal').waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
    expect(await text(page, '#who')).toBe('host-1 · host');

    // An unknown deal and a bad form each get a sentence, not a code.
    await page.locator('#open-deal input[name=dealId]').fill(UNKNOWN_DEAL);
    await page.locator('#open-deal button[type=submit]').click();
    await waitForText(page, '#message', ERROR_MESSAGES.DEAL_NOT_FOUND as string);
    await page.locator('#create-deal input[name=dealPrice]').fill('150.00');
    await page.locator('#create-deal button[type=submit]').click();
    await waitForText(
      page,
      '#message',
      /^Some of what was sent is not valid: dealPrice: .*lower than listPrice/,
    );

    // Create: 20 jackets at half price.
    await page.locator('#create-deal input[name=dealPrice]').fill('60.00');
    await page.locator('#create-deal input[name=stock]').fill('20');
    await page.locator('#create-deal button[type=submit]').click();
    await waitForText(page, '#deal-status', 'SCHEDULED');
    const dealId = await text(page, '#deal-id');
    expect(dealId).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    await waitForText(page, '#available', '20');
    expect(await page.locator('button[data-cue=pause]').isDisabled()).toBe(true);

    await page.locator('button[data-cue=start]').click();
    await waitForText(page, '#deal-status', 'LIVE');
    expect(await page.locator('button[data-cue=start]').isDisabled()).toBe(true);

    // Pause and Resume, each enabled only where the status allows it. (No claims in between: a claim
    // container remembers "not live" for a second, which would make the tally below depend on timing.)
    await page.locator('button[data-cue=pause]').click();
    await waitForText(page, '#deal-status', 'PAUSED');
    expect(await page.locator('button[data-cue=pause]').isDisabled()).toBe(true);
    await page.locator('button[data-cue=resume]').click();
    await waitForText(page, '#deal-status', 'LIVE');
    await page.locator('#simulate').waitFor({ state: 'visible' });

    // 60 virtual viewers for 20 units: the gauge shows it sold out, the tally says who got what.
    await page.locator('#simulate input[name=count]').fill('60');
    await page.locator('#simulate button[type=submit]').click();
    await waitForText(
      page,
      '#simulate-result',
      /^60\/60 viewers: 20 coupons, 40 sold out, 0 not live, 0 failed$/,
    );
    await waitForText(page, '#available', '0');
    await waitForText(page, '#held', '20');
    expect(await text(page, '#redeemed')).toBe('0');
    // The chart saw claims arrive (its peak is computed from the polled figures).
    await page.waitForFunction(
      () => Number(document.querySelector('#rate-peak')?.textContent) > 0,
      undefined,
      {
        timeout: UI_TIMEOUT_MS,
      },
    );

    // The store agrees with the gauge.
    const host = await api.token('host-1', 'host');
    const figures = await api.call<Deal>('GET', `/deals/${dealId}`, { token: host });
    expect(figures.body).toMatchObject({ status: 'LIVE', stock: 20, available: 0, held: 20, redeemed: 0 });

    await page.locator('button[data-cue=end]').click();
    await waitForText(page, '#deal-status', 'ENDED');
    for (const action of ['start', 'pause', 'resume', 'restock', 'extend', 'end']) {
      expect(await page.locator(`button[data-cue=${action}]`).isDisabled(), action).toBe(true);
    }
    expect((await api.call<Deal>('GET', `/deals/${dealId}`, { token: host })).body.status).toBe('ENDED');

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(readFileSync(SCREENSHOT).subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(problems).toStrictEqual([]);
    await page.close();
  });

  it('shows an admin the gala timeline with each drop’s time zone and a countdown', {
    timeout: 120_000,
  }, async () => {
    const admin = await api.token('ops-1', 'admin');
    const deal = await api.call<Deal>('POST', '/deals', {
      token: admin,
      body: {
        title: 'Gala scarf',
        sku: 'SCF-1',
        streamId: 'gala-stream-2',
        galaId: 'winter-gala',
        currency: 'EUR',
        listPrice: 4000,
        dealPrice: 3000,
        stock: 50,
      },
    });
    expect(deal.status).toBe(201);
    const at = new Date(Date.now() + 90 * 60_000).toISOString();
    const drop = await api.call('POST', '/galas/winter-gala/price-drops', {
      token: admin,
      body: { at, timeZone: 'Asia/Tokyo', percentOff: 20 },
    });
    expect(drop.status).toBe(201);

    const { page, problems } = await openPage();
    await page.goto(`${runtime.url}/console/#deal=${deal.body.dealId}`);
    await page.locator('body[data-ready="true"]').waitFor({ timeout: UI_TIMEOUT_MS });
    await page.locator('#local-sign-in input[name=sub]').fill('ops-1');
    await page.locator('#local-sign-in select[name=role]').selectOption('admin');
    await page.locator('#local-sign-in button[type=submit]').click();

    await waitForText(page, '#deal-title', 'Gala scarf');
    // Not started yet: virtual viewers are refused as not live, and the tally says so.
    await page.locator('#simulate input[name=count]').fill('3');
    await page.locator('#simulate button[type=submit]').click();
    await waitForText(page, '#simulate-result', '3/3 viewers: 0 coupons, 0 sold out, 3 not live, 0 failed');
    await waitForText(page, '#timeline li', /Asia\/Tokyo/);
    const row = await text(page, '#timeline li');
    expect(row).toMatch(/GMT\+9|JST/);
    expect(row).toContain('20% off');
    // A countdown of about an hour and a half, ticking.
    const countdown = await text(page, '#timeline li .countdown');
    expect(countdown).toMatch(/^01:(29|30):\d\d$/);
    await page.waitForFunction(
      (first) => document.querySelector('#timeline li .countdown')?.textContent !== first,
      countdown,
      {
        timeout: UI_TIMEOUT_MS,
      },
    );
    expect(problems).toStrictEqual([]);
    await page.close();
  });

  it('deployed (no local issuer): takes a pasted token and offers no virtual viewers', {
    timeout: 120_000,
  }, async () => {
    const host = await api.token('host-1', 'host');
    const created = await api.call<Deal>('POST', '/deals', {
      token: host,
      body: {
        title: 'Beanie',
        sku: 'BN-1',
        streamId: 's-3',
        currency: 'EUR',
        listPrice: 2000,
        dealPrice: 1500,
        stock: 5,
      },
    });
    const { page, problems } = await openPage();
    // As CloudFront serves it: config.json names the API and says nothing of a local issuer.
    await page.route('**/console/config.json', (route) =>
      route.fulfill({ contentType: 'application/json', body: JSON.stringify({ apiUrl: runtime.url }) }),
    );
    await page.goto(`${runtime.url}/console/`);
    await page.locator('body[data-ready="true"]').waitFor({ timeout: UI_TIMEOUT_MS });
    expect(await page.locator('#local-sign-in').isHidden()).toBe(true);

    // A viewer's token is refused in the page with a reason.
    await page.locator('#token-sign-in textarea').fill(await api.token('viewer-9', 'viewer'));
    await page.locator('#token-sign-in button[type=submit]').click();
    await waitForText(page, '#message', /neither the livedrop\/host nor the livedrop\/admin scope/);

    await page.locator('#token-sign-in textarea').fill(`Bearer ${host}`);
    await page.locator('#token-sign-in button[type=submit]').click();
    await page.locator('#open-deal input[name=dealId]').fill(created.body.dealId);
    await page.locator('#open-deal button[type=submit]').click();
    await waitForText(page, '#deal-title', 'Beanie');
    await waitForText(page, '#available', '5');
    expect(await page.locator('#simulate').isHidden()).toBe(true);

    // Restock adds units while the deal can sell; Extend needs a deal with a duration.
    expect(await page.locator('button[data-cue=restock]').isDisabled()).toBe(true);
    await page.locator('button[data-cue=start]').click();
    await waitForText(page, '#deal-status', 'LIVE');
    expect(await page.locator('button[data-cue=extend]').isDisabled()).toBe(true);
    await page.locator('#restock-quantity').fill('7');
    await page.locator('button[data-cue=restock]').click();
    await waitForText(page, '#message', 'Restocked 7 units.');
    await waitForText(page, '#available', '12');
    await waitForText(page, '#stock', '12');
    expect(await text(page, '#timeline-note')).toMatch(/admins only/);
    expect(problems).toStrictEqual([]);
    await page.close();
  });
});
