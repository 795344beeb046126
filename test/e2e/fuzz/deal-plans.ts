/**
 * Fuzz plans of the deal routes (deals.test.ts): creating a deal, reading it, its live view, a stream's deals,
 * the audit trail and the host's cues.
 */
import fc from 'fast-check';
import type { Fixture, Principal, RealDeal } from './fixture.js';
import { badAuditQuery, goodAuth } from './requests.js';
import {
  ALL,
  authBreaker,
  bodyBreaker,
  breakWith,
  fixedSchema,
  identifierReadPlan,
  jsonBody,
  pathBreaker,
  type RoutePlan,
  realDeals,
  realIds,
  unknownId,
  wireOf,
} from './routes.js';
import { CUE_ACTIONS, type CueAction, createDealSchema, cueBody, cueSchema } from './schemas.js';
import { badIdentifierSegment, badUlidSegment } from './values.js';

export const createDealPlan = (fixture: Fixture): RoutePlan => ({
  base: fc
    .record({ auth: goodAuth(fixture, ['host-1', 'admin-1']), valid: createDealSchema.valid })
    .chain(({ auth, valid }) => jsonBody(valid).map((body) => ({ shape: { auth, params: {}, ...body } }))),
  breakers: [authBreaker(fixture, ['host', 'admin']), bodyBreaker(fixedSchema(createDealSchema))],
});

export const dealReadPlan = (fixture: Fixture): RoutePlan => ({
  base: fc.oneof(
    fc
      .record({
        auth: goodAuth(fixture, ALL),
        dealId: wireOf(fc.constantFrom(...realDeals(fixture).map((d) => d.dealId))),
      })
      .map(({ auth, dealId }) => ({ shape: { auth, params: { dealId } } })),
    fc.record({ auth: goodAuth(fixture, ALL), dealId: unknownId(fixture) }).map(({ auth, dealId }) => ({
      shape: { auth, params: { dealId } },
      refused: 'unknown deal',
    })),
  ),
  breakers: [
    authBreaker(fixture, ['viewer', 'host', 'checkout', 'admin']),
    pathBreaker('dealId', badUlidSegment(realIds(fixture))),
  ],
});

/** The audit trail: the deal's host and admins only; refused as another host, for an unknown deal, or broken. */
export const auditPlan = (fixture: Fixture): RoutePlan => {
  const deals = wireOf(fc.constantFrom(...realDeals(fixture).map((d) => d.dealId)));
  return {
    base: fc.oneof(
      fc
        .record({ auth: goodAuth(fixture, ['host-1', 'admin-1']), dealId: deals })
        .map(({ auth, dealId }) => ({ shape: { auth, params: { dealId } } })),
      fc.record({ auth: goodAuth(fixture, ['host-2']), dealId: deals }).map(({ auth, dealId }) => ({
        shape: { auth, params: { dealId } },
        refused: "another host's deal",
      })),
      fc
        .record({ auth: goodAuth(fixture, ['host-1', 'admin-1']), dealId: unknownId(fixture) })
        .map(({ auth, dealId }) => ({ shape: { auth, params: { dealId } }, refused: 'unknown deal' })),
    ),
    breakers: [
      authBreaker(fixture, ['host', 'admin']),
      pathBreaker('dealId', badUlidSegment(realIds(fixture))),
      {
        name: 'query',
        apply: (shape) =>
          badAuditQuery().map(({ query, what }) => breakWith(shape, `query ${what}`, { query })),
      },
    ],
    readsQuery: true,
  };
};

/** Cue requests the engine refuses as they are, and valid-shaped ones that only a break makes invalid. */
export const cuePlan = (fixture: Fixture): RoutePlan => {
  const { live, scheduled, ended, soldOut, lapsed } = fixture.deals;
  const running = [live, soldOut, lapsed];
  const owner: Principal[] = ['host-1', 'admin-1'];
  const combo = (
    deals: RealDeal[] | 'unknown',
    who: Principal[],
    actions: readonly CueAction[],
    refused?: string,
  ) =>
    fc
      .record({
        dealId:
          deals === 'unknown' ? unknownId(fixture) : wireOf(fc.constantFrom(...deals.map((d) => d.dealId))),
        auth: goodAuth(fixture, who),
        valid: fc.constantFrom(...actions).chain(cueBody),
      })
      .chain(({ dealId, auth, valid }) =>
        jsonBody(valid).map((body) => ({ shape: { auth, params: { dealId }, ...body }, refused })),
      );
  return {
    base: fc.oneof(
      combo('unknown', ['host-1', 'host-2', 'admin-1'], CUE_ACTIONS, 'unknown deal'),
      combo(realDeals(fixture), ['host-2'], CUE_ACTIONS, "another host's deal"),
      combo(running, owner, ['start', 'resume', 'extend'], 'transition a LIVE deal does not allow'),
      combo(
        [scheduled],
        owner,
        ['pause', 'resume', 'extend', 'restock'],
        'transition a SCHEDULED deal does not allow',
      ),
      combo(
        [ended],
        owner,
        CUE_ACTIONS.filter((action) => action !== 'end'),
        'the deal ENDED',
      ),
      combo(running, owner, ['pause', 'end', 'restock']),
      combo([scheduled], owner, ['start', 'end']),
      // An end on an ended deal re-asserts the end on every shard: answered 200, and it changes nothing.
      combo([ended], owner, ['end']),
    ),
    breakers: [
      authBreaker(fixture, ['host', 'admin']),
      pathBreaker('dealId', badUlidSegment(realIds(fixture))),
      bodyBreaker(fixedSchema(cueSchema(fc.constant({})))),
    ],
  };
};

export const DEAL_PLANS: Readonly<Record<string, (fixture: Fixture) => RoutePlan>> = {
  'POST /deals': createDealPlan,
  'GET /deals/{dealId}': dealReadPlan,
  'GET /deals/{dealId}/live': dealReadPlan,
  'GET /deals/{dealId}/audit': auditPlan,
  'GET /streams/{streamId}/deals': (fixture) =>
    identifierReadPlan(
      fixture,
      'streamId',
      fixture.deals.live.streamId,
      ['viewer', 'host', 'checkout', 'admin'],
      ALL,
    ),
  // Public: any token or none is let through, so only the path can be broken.
  'GET /streams/{streamId}/live': (fixture) => ({
    ...identifierReadPlan(
      fixture,
      'streamId',
      fixture.deals.live.streamId,
      ['viewer', 'host', 'checkout', 'admin'],
      ALL,
    ),
    breakers: [pathBreaker('streamId', badIdentifierSegment(128))],
  }),
  'POST /deals/{dealId}/cues': cuePlan,
};
