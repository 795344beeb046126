/**
 * Which fuzz test file fuzzes which HTTP route, with the route's plan, and the test of one route.
 */
import { type HttpMethod, httpRoutes } from '../../../functions/shared/contract/wiring.js';
import { COUPON_PLANS } from './coupon-plans.js';
import { DEAL_PLANS } from './deal-plans.js';
import { EXAMPLES } from './examples.js';
import type { Fixture } from './fixture.js';
import type { FuzzRun } from './harness.js';
import { judgeRouteReply } from './oracle.js';
import { PRICE_DROP_PLANS } from './price-drop-plans.js';
import { type RoutePlan, routeArbitrary } from './routes.js';

/**
 * The routes of each route test file (test/e2e/fuzz/<name>.test.ts) with their plans: every wiring route in
 * exactly one, or the coverage test (gateway.test.ts) fails. Few files, as each starts its own runtime
 * (about 3 s of CPU and 4 s in all), and vitest runs them one after another on 2 cores.
 */
export const ROUTE_FILES: Readonly<
  Record<string, Readonly<Record<string, (fixture: Fixture) => RoutePlan>>>
> = {
  deals: { ...DEAL_PLANS, ...PRICE_DROP_PLANS },
  coupons: COUPON_PLANS,
};

/** One plan per wiring route; a route added to the wiring without one fails the coverage test. */
export const PLANS: Readonly<Record<string, (fixture: Fixture) => RoutePlan>> = Object.assign(
  {},
  ...Object.values(ROUTE_FILES),
);

const BODY_ROUTES = new Set([
  'POST /deals',
  'POST /deals/{dealId}/cues',
  'POST /coupons/{code}/redemptions',
  'POST /coupons/{code}/releases',
  'POST /galas/{galaId}/price-drops',
]);

/** An HTTP route of the wiring: its key (`POST /deals`, also its fuzz family) and its path template. */
export interface Route {
  key: string;
  method: HttpMethod;
  template: string;
}

/** The wiring's routes that the test file `file` fuzzes, in the wiring's order. */
export const routesOf = (file: string): Route[] =>
  httpRoutes()
    .map(({ trigger }) => ({
      key: `${trigger.method} ${trigger.path}`,
      method: trigger.method,
      template: trigger.path,
    }))
    .filter(({ key }) => ROUTE_FILES[file]?.[key] !== undefined);

/** The fuzz test of one HTTP route. */
export const fuzzRoute = async (run: FuzzRun, route: Route): Promise<void> => {
  const fixture = run.fixture;
  const plan = (PLANS[route.key] as (fixture: Fixture) => RoutePlan)(fixture);
  const arbitrary = routeArbitrary(route.method, route.template, {
    ...plan,
    readsBody: plan.readsBody ?? BODY_ROUTES.has(route.key),
  });
  const documented = fixture.documentedStatuses.get(route.key);
  await run.fuzz(route.key, arbitrary, (c, reply) => judgeRouteReply(c.request, reply, documented), {
    examples: EXAMPLES[route.key]?.(fixture) ?? [],
  });
};
