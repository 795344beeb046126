/**
 * One deal's life, played over HTTP against a running livedrop (the local runtime: it needs POST /local/token):
 * a host creates a deal and cues it live, viewers rush it, checkout redeems and releases some coupons, the rest
 * expire and the sweep returns their units, a second wave claims them. Every figure in the report is counted
 * from the answers the engine gave or read back from it; nothing is assumed.
 */
import { randomUUID } from 'node:crypto';
import type { Outcome } from './demo-chart.js';
import { unitChecks } from './demo-checks.js';
import { type Answer, Client, describeAnswer, errorCode, forEachBounded } from './demo-http.js';
import { bar, type Output, StatusLine } from './demo-progress.js';
import { type Check, count, type DealFigures, type DemoReport, type Wave } from './demo-report.js';

export interface DemoOptions {
  url: string;
  out: Output;
  viewers?: number;
  stock?: number;
  claimTtlSeconds?: number;
  /** Requests in flight at once during the rush (and every other bulk step). */
  concurrency?: number;
  /** Share of the granted coupons checkout redeems. */
  redeemShare?: number;
  /** Redeemed orders that are then cancelled, so checkout releases their coupons. */
  releases?: number;
  /** Every n-th viewer taps "claim" twice (without an Idempotency-Key), as impatient viewers do. */
  doubleTapEvery?: number;
  /** Viewers in the second wave beyond the units the sweep returned, so it sells out again. */
  secondWaveExtra?: number;
  /** How long after the last coupon's expiresAt the demo waits for the sweep before giving up. */
  sweepGraceSeconds?: number;
  now?: () => number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Viewer {
  id: string;
  token: string;
}

interface Held {
  viewer: Viewer;
  code: string;
  issuedAt: string;
  expiresAt: string;
}

export const runDemo = async (options: DemoOptions): Promise<DemoReport> => {
  const now = options.now ?? Date.now;
  const started = now();
  const out = options.out;
  const viewers = options.viewers ?? 2_000;
  const stock = options.stock ?? 500;
  // Long enough for the rush and checkout on a busy laptop, short enough that the demo does not wait long for the
  // rest to expire. Should the rush still outlast it, units re-granted after expiry are counted as such.
  const claimTtlSeconds = options.claimTtlSeconds ?? 30;
  const concurrency = options.concurrency ?? 64;
  const doubleTapEvery = options.doubleTapEvery ?? 8;
  const client = new Client(options.url);
  const run = randomUUID().slice(0, 8);
  const unexpected: string[] = [];
  const say = (line: string) => out.write(`${line}\n`);

  // 1. tokens: the host, checkout and one per viewer, from the local issuer.
  const token = async (sub: string, role: string) =>
    (await client.expect<{ token: string }>(200, 'token', 'POST', '/local/token', { body: { sub, role } }))
      .token;
  const hostToken = await token(`demo-host-${run}`, 'host');
  const checkoutToken = await token(`demo-checkout-${run}`, 'checkout');
  const mintViewers = async (from: number, n: number): Promise<Viewer[]> => {
    const minted: Viewer[] = new Array(n);
    await forEachBounded(
      Array.from({ length: n }, (_, i) => `demo-viewer-${run}-${from + i}`),
      concurrency,
      async (id, i) => {
        minted[i] = { id, token: await token(id, 'viewer') };
      },
    );
    return minted;
  };
  const crowd = await mintViewers(0, viewers);
  say(`tokens: 1 host, 1 checkout, ${count(crowd.length)} viewers`);

  // 2. the host creates the deal and cues it live.
  const created = await client.expect<{ dealId: string }>(201, 'create deal', 'POST', '/deals', {
    token: hostToken,
    body: {
      title: 'Demo jacket, half price',
      sku: 'DEMO-JACKET',
      streamId: `demo-stream-${run}`,
      currency: 'EUR',
      listPrice: 12_000,
      dealPrice: 6_000,
      stock,
      perViewerLimit: 1,
      claimTtlSeconds,
    },
  });
  const dealId = created.dealId;
  const live = await client.expect<DealFigures>(200, 'start cue', 'POST', `/deals/${dealId}/cues`, {
    token: hostToken,
    body: { action: 'start' },
  });
  say(`deal ${dealId}: stock ${count(live.stock)}, ${live.status}, coupons valid ${claimTtlSeconds} s`);
  const readDeal = () =>
    client.expect<DealFigures>(200, 'read deal', 'GET', `/deals/${dealId}`, { token: hostToken });

  // 3. the rush, and later the second wave: every viewer claims, some twice.
  const soldOutViewers = new Set<Viewer>();
  const claimWave = async (
    label: string,
    wave: readonly Viewer[],
    doubleTap: number,
  ): Promise<{ wave: Wave; holders: Held[] }> => {
    const holders: Held[] = [];
    const result: Wave = {
      viewers: wave.length,
      grantedViewers: 0,
      attempts: 0,
      granted: 0,
      soldOut: 0,
      limitReached: 0,
      latenciesMs: [],
      grantedLatenciesMs: [],
      timeline: [],
      seconds: 0,
    };
    const planned = wave.length + (doubleTap > 0 ? Math.ceil(wave.length / doubleTap) : 0);
    const line = new StatusLine(
      out,
      () =>
        `${label} ${bar(result.attempts, planned)} ${count(result.attempts)}/${count(planned)} claims sent` +
        `  granted ${count(result.granted)}  sold out ${count(result.soldOut)}` +
        `  limit reached ${count(result.limitReached)}`,
      now,
    );
    const waveStarted = now();
    const claim = async (viewer: Viewer): Promise<void> => {
      result.attempts++;
      let answer: Answer;
      try {
        answer = await client.call('POST', `/deals/${dealId}/claims`, { token: viewer.token });
      } catch (error) {
        unexpected.push(`claim: ${String(error)}`);
        return;
      }
      result.latenciesMs.push(answer.ms);
      const code = errorCode(answer.body);
      let outcome: Outcome = 'other';
      if (answer.status === 201) {
        outcome = 'granted';
        result.granted++;
        result.grantedLatenciesMs.push(answer.ms);
        const coupon = answer.body as { code: string; issuedAt: string; expiresAt: string };
        holders.push({ viewer, code: coupon.code, issuedAt: coupon.issuedAt, expiresAt: coupon.expiresAt });
      } else if (answer.status === 409 && code === 'SOLD_OUT') {
        outcome = 'soldOut';
        result.soldOut++;
        soldOutViewers.add(viewer);
      } else if (answer.status === 409 && code === 'LIMIT_REACHED') {
        result.limitReached++;
      } else {
        unexpected.push(describeAnswer('claim', answer));
      }
      result.timeline.push({ atMs: now() - waveStarted, outcome });
      line.update();
    };
    await forEachBounded(wave, concurrency, async (viewer, i) => {
      await claim(viewer);
      if (doubleTap > 0 && i % doubleTap === 0) await claim(viewer);
    });
    result.seconds = (now() - waveStarted) / 1000;
    result.grantedViewers = new Set(holders.map((held) => held.viewer.id)).size;
    line.done();
    return { wave: result, holders };
  };
  const { wave: rush, holders } = await claimWave('rush  ', crowd, doubleTapEvery);
  const rushEnded = now();
  const afterRush = await readDeal();
  // Coupons whose lifetime ended before the rush did: the sweep may have put their units on sale again in it.
  const expiredInRush = holders.filter((held) => Date.parse(held.expiresAt) <= rushEnded).length;

  // 4. checkout: redeem a share of the coupons, then cancel a few of those orders (release).
  // The first granted first: their coupons expire soonest.
  const toRedeem = holders.slice(0, Math.round(holders.length * (options.redeemShare ?? 0.6)));
  const redeemedOrders: { held: Held; orderId: string }[] = [];
  let expiredBeforeCheckout = 0;
  await forEachBounded(toRedeem, concurrency, async (held, i) => {
    const orderId = `demo-order-${run}-${i}`;
    const answer = await client.call('POST', `/coupons/${held.code}/redemptions`, {
      token: checkoutToken,
      body: { viewerId: held.viewer.id, orderId },
    });
    if (answer.status === 200) redeemedOrders.push({ held, orderId });
    else if (answer.status === 410 && errorCode(answer.body) === 'COUPON_EXPIRED') expiredBeforeCheckout++;
    else unexpected.push(describeAnswer('redeem', answer));
  });
  const releasedAs = new Map<string, number>();
  const cancelled = redeemedOrders.slice(0, Math.min(options.releases ?? 10, redeemedOrders.length));
  await forEachBounded(cancelled, concurrency, async ({ held, orderId }) => {
    const answer = await client.call('POST', `/coupons/${held.code}/releases`, {
      token: checkoutToken,
      body: { viewerId: held.viewer.id, orderId },
    });
    if (answer.status !== 200) {
      unexpected.push(describeAnswer('release', answer));
      return;
    }
    const status = String((answer.body as { status?: unknown }).status);
    releasedAs.set(status, (releasedAs.get(status) ?? 0) + 1);
  });
  const released = [...releasedAs.values()].reduce((a, b) => a + b, 0);
  const redeemed = redeemedOrders.length - released;
  say(
    `checkout: ${count(redeemedOrders.length)} redeemed, ${count(released)} of them released` +
      `, ${count(expiredBeforeCheckout)} too late`,
  );

  // 5. the rest expire; wait (bounded) until the sweep has put their units back on sale.
  const keptCodes = new Set(redeemedOrders.slice(cancelled.length).map(({ held }) => held.code));
  const left = holders.filter((held) => !keptCodes.has(held.code));
  const lastExpiry = Math.max(...holders.map((held) => Date.parse(held.expiresAt)), now());
  const deadline = lastExpiry + (options.sweepGraceSeconds ?? 30) * 1000;
  const waitStarted = now();
  let figures = await readDeal();
  const countdown = new StatusLine(
    out,
    () => {
      const toExpiry = Math.max(0, Math.ceil((lastExpiry - now()) / 1000));
      const toDeadline = Math.max(0, Math.ceil((deadline - now()) / 1000));
      return (
        `sweep  ${bar(figures.available - afterRush.available, left.length)} available ${count(figures.available)}` +
        `  held ${count(figures.held)}  ${toExpiry > 0 ? `last coupon expires in ${toExpiry} s` : 'all expired'}` +
        `  (giving up in ${toDeadline} s)`
      );
    },
    now,
  );
  const settled = () => figures.held === 0 && figures.available >= stock - redeemed;
  while (!settled() && now() < deadline) {
    countdown.update();
    await sleep(250);
    figures = await readDeal();
  }
  countdown.done();
  const timedOut = !settled();
  const waitedSeconds = (now() - waitStarted) / 1000;

  let readAsExpired = 0;
  await forEachBounded(left, concurrency, async (held) => {
    const page = await client.call('GET', '/me/coupons?limit=100', { token: held.viewer.token });
    if (page.status !== 200) {
      unexpected.push(describeAnswer('list coupons', page));
      return;
    }
    const coupons = (page.body as { coupons: { code: string; status: string }[] }).coupons;
    if (coupons.some((coupon) => coupon.code === held.code && coupon.status === 'EXPIRED')) readAsExpired++;
  });

  // 6. a second, smaller wave: viewers who were sold out come back for the returned units.
  const secondCount = Math.max(0, figures.available) + (options.secondWaveExtra ?? 50);
  // Sold out in the rush and not granted since: they hold nothing of this deal.
  const returning = [...soldOutViewers]
    .filter((viewer) => !holders.some((held) => held.viewer === viewer))
    .slice(0, secondCount);
  const secondCrowd = [
    ...returning,
    ...(returning.length < secondCount ? await mintViewers(viewers, secondCount - returning.length) : []),
  ];
  const availableBeforeSecond = figures.available;
  const { wave: secondWave, holders: secondHolders } = await claimWave('second', secondCrowd, 0);

  // 7. the final figures, read back.
  const final = await readDeal();
  const invariant = final.stock === final.available + final.held + final.redeemed;
  const units = unitChecks({
    stock,
    viewers,
    rushGranted: rush.granted,
    expiredInRush,
    coupons: [...holders, ...secondHolders].map((held) => ({
      viewer: held.viewer.id,
      issuedAt: held.issuedAt,
      expiresAt: held.expiresAt,
      kept: keptCodes.has(held.code),
    })),
  });
  const checks: Check[] = [
    ...units.checks,
    {
      name: 'every unit not redeemed is back on sale',
      ok: !timedOut && figures.held === 0 && figures.available === stock - redeemed,
      detail: `${count(figures.available)} of ${count(stock - redeemed)}`,
    },
    {
      name: 'every coupon left reads EXPIRED',
      ok: readAsExpired === left.length,
      detail: `${count(readAsExpired)} of ${count(left.length)}`,
    },
    {
      name: 'second wave got exactly the returned units',
      ok: secondWave.granted === Math.min(availableBeforeSecond, secondCrowd.length),
      detail: `${count(secondWave.granted)} of ${count(availableBeforeSecond)}`,
    },
    {
      name: 'deal counts our redemptions',
      ok: final.redeemed === redeemed,
      detail: `${count(final.redeemed)} read, ${count(redeemed)} made`,
    },
  ];
  return {
    url: options.url,
    dealId,
    claimTtlSeconds,
    rush,
    rushExpired: expiredInRush,
    regranted: units.regranted,
    checkout: {
      redeemed,
      expiredBeforeCheckout,
      released,
      releasedAs:
        releasedAs.size === 0
          ? ''
          : ` (now ${[...releasedAs].map(([status, n]) => `${count(n)} ${status}`).join(', ')})`,
    },
    expiry: {
      left: left.length,
      readAsExpired,
      availableBefore: afterRush.available,
      availableAfter: figures.available,
      returned: figures.available - afterRush.available,
      waitedSeconds,
      timedOut,
    },
    secondWave,
    final,
    invariant,
    checks,
    unexpected,
    wallSeconds: (now() - started) / 1000,
  };
};
