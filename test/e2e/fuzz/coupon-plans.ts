/**
 * Fuzz plans of the coupon routes (coupons.test.ts): a viewer's claims and coupons, checkout's redemptions and
 * releases. They share one runtime, as claims and checkout count against rate limits kept in the store.
 */
import fc from 'fast-check';
import type { Fixture } from './fixture.js';
import { badCouponQuery, badIdempotencyKey, goodAuth } from './requests.js';
import {
  authBreaker,
  bodyBreaker,
  breakWith,
  fixedSchema,
  jsonBody,
  otherThan,
  pathBreaker,
  type RoutePlan,
  realIds,
  unknownId,
  wireOf,
} from './routes.js';
import { checkoutSchema } from './schemas.js';
import { badCodeSegment, badUlidSegment, codeSpellings, printable } from './values.js';

export const claimPlan = (fixture: Fixture): RoutePlan => {
  const { live, scheduled, ended, soldOut } = fixture.deals;
  const key = fc.option(
    printable(1, 128)
      .filter((k) => k !== fixture.setupIdempotencyKey)
      .chain((k) => fc.constantFrom(k, ` ${k}`, `${k}\t`)),
    { nil: undefined },
  );
  const combos: [fc.Arbitrary<string>, string][] = [
    [wireOf(fc.constant(live.dealId)), "viewer-1 already holds the deal's one coupon"],
    [wireOf(fc.constantFrom(scheduled.dealId, ended.dealId)), 'deal not live'],
    [wireOf(fc.constant(soldOut.dealId)), 'sold out'],
    [unknownId(fixture), 'unknown deal'],
  ];
  return {
    base: fc
      .tuple(fc.constantFrom(...combos), goodAuth(fixture, ['viewer-1']), key)
      .chain(([[dealId, refused], auth, k]) =>
        dealId.map((id) => ({
          shape: {
            auth,
            params: { dealId: id },
            headers: (k === undefined ? {} : { 'idempotency-key': k }) as Record<string, string>,
          },
          refused,
        })),
      ),
    breakers: [
      authBreaker(fixture, ['viewer']),
      pathBreaker('dealId', badUlidSegment(realIds(fixture))),
      {
        name: 'header',
        apply: (shape) =>
          badIdempotencyKey.map((k) =>
            breakWith(shape, `idempotency-key ${JSON.stringify(k.slice(0, 40))}`, {
              headers: { ...shape.headers, 'idempotency-key': k },
            }),
          ),
      },
    ],
  };
};

export const myCouponsPlan = (fixture: Fixture): RoutePlan => ({
  base: fc
    .record({
      auth: goodAuth(fixture, ['viewer-1']),
      query: fc.oneof(
        fc.constant(''),
        fc.integer({ min: 1, max: 100 }).map((n) => `limit=${n}`),
      ),
    })
    .map(({ auth, query }) => ({ shape: { auth, params: {}, query } })),
  breakers: [
    authBreaker(fixture, ['viewer']),
    {
      name: 'query',
      apply: (shape) =>
        badCouponQuery('viewer-1').map(({ query, what }) => breakWith(shape, `query ${what}`, { query })),
    },
  ],
  readsQuery: true,
});

/** Checkout requests: the engine's refusals, and valid ones (held coupon, its viewer) only a break spoils. */
export const checkoutPlan = (fixture: Fixture, kind: 'redeem' | 'release'): RoutePlan => {
  const { held, redeemed, lapsed } = fixture.coupons;
  const codes = [held.code, redeemed.code, lapsed.code];
  const combo = (
    code: fc.Arbitrary<string>,
    viewerId: fc.Arbitrary<string>,
    orderId: fc.Arbitrary<string>,
    refused?: string,
  ) =>
    fc
      .record({ code: wireOf(code), auth: goodAuth(fixture, ['checkout-1']), viewerId, orderId })
      .chain(({ code, auth, viewerId, orderId }) =>
        jsonBody({ viewerId, orderId }).map((body) => ({
          shape: { auth, params: { code }, ...body },
          refused,
        })),
      );
  const anyOrder = printable(1, 128);
  const otherOrder = otherThan(redeemed.orderId);
  const unknownCode = badCodeSegment(codes).filter(
    (code) => !code.includes('%') && code !== '' && !code.startsWith('.'),
  );
  const common = [
    combo(codeSpellings(held.code), otherThan(held.viewerId), anyOrder, "someone else's coupon"),
    combo(unknownCode, printable(1, 256), anyOrder, 'unknown code'),
  ];
  const base =
    kind === 'redeem'
      ? fc.oneof(
          ...common,
          combo(
            codeSpellings(redeemed.code),
            fc.constant(redeemed.viewerId),
            otherOrder,
            'redeemed for another order',
          ),
          combo(codeSpellings(lapsed.code), fc.constant(lapsed.viewerId), anyOrder, 'coupon expired'),
          combo(codeSpellings(held.code), fc.constant(held.viewerId), anyOrder),
          combo(codeSpellings(redeemed.code), fc.constant(redeemed.viewerId), fc.constant(redeemed.orderId)),
        )
      : fc.oneof(
          ...common,
          combo(codeSpellings(held.code), fc.constant(held.viewerId), anyOrder, 'coupon not redeemed'),
          combo(
            codeSpellings(redeemed.code),
            fc.constant(redeemed.viewerId),
            otherOrder,
            'redeemed for another order',
          ),
          combo(
            codeSpellings(lapsed.code),
            fc.constant(lapsed.viewerId),
            anyOrder,
            'coupon not redeemed (lapsed)',
          ),
          combo(codeSpellings(redeemed.code), fc.constant(redeemed.viewerId), fc.constant(redeemed.orderId)),
        );
  return {
    base,
    breakers: [
      authBreaker(fixture, ['checkout']),
      pathBreaker('code', badCodeSegment(codes)),
      bodyBreaker(fixedSchema(checkoutSchema(fc.constant({})))),
    ],
  };
};

export const COUPON_PLANS: Readonly<Record<string, (fixture: Fixture) => RoutePlan>> = {
  'POST /deals/{dealId}/claims': claimPlan,
  'GET /me/coupons': myCouponsPlan,
  'POST /coupons/{code}/redemptions': (fixture) => checkoutPlan(fixture, 'redeem'),
  'POST /coupons/{code}/releases': (fixture) => checkoutPlan(fixture, 'release'),
};
