/**
 * Fuzz plans of the gala price-drop routes (deals.test.ts): scheduling, listing and cancelling drops.
 */
import fc from 'fast-check';
import type { Fixture } from './fixture.js';
import { goodAuth } from './requests.js';
import {
  authBreaker,
  bodyBreaker,
  fixedSchema,
  identifierReadPlan,
  jsonBody,
  otherThan,
  pathBreaker,
  type RoutePlan,
  realDeals,
  realIds,
  unknownId,
  wireOf,
} from './routes.js';
import { priceDropSchema } from './schemas.js';
import { badIdentifierSegment, badUlidSegment, isoAt, printable } from './values.js';

export const createDropPlan = (fixture: Fixture): RoutePlan => {
  const schema = priceDropSchema(realDeals(fixture).map((d) => d.dealId));
  const past = fc
    .tuple(
      fc.integer({ min: Date.parse('1990-01-01T00:00:00Z'), max: Date.now() - 3_600_000 }),
      fc.constantFrom(0, 60, -300),
    )
    .map(([ms, offset]) => isoAt(ms, offset));
  const gala = wireOf(fc.oneof(fc.constant(fixture.galaId), printable(1, 128)));
  return {
    base: fc.oneof(
      fc
        .record({ auth: goodAuth(fixture, ['admin-1']), galaId: gala, valid: schema.valid })
        .chain(({ auth, galaId, valid }) =>
          jsonBody(valid).map((body) => ({ shape: { auth, params: { galaId }, ...body } })),
        ),
      fc
        .record({ auth: goodAuth(fixture, ['admin-1']), galaId: gala, valid: schema.valid, at: past })
        .chain(({ auth, galaId, valid, at }) =>
          jsonBody({ ...valid, at }).map((body) => ({
            shape: { auth, params: { galaId }, ...body },
            refused: 'at in the past',
          })),
        ),
    ),
    breakers: [
      authBreaker(fixture, ['admin']),
      pathBreaker('galaId', badIdentifierSegment(128)),
      bodyBreaker(fixedSchema(schema)),
    ],
  };
};

export const cancelDropPlan = (fixture: Fixture): RoutePlan => {
  const gala = wireOf(fc.constant(fixture.galaId));
  const combo = (galaId: fc.Arbitrary<string>, dropId: fc.Arbitrary<string>, refused?: string) =>
    fc
      .record({ auth: goodAuth(fixture, ['admin-1']), galaId, dropId })
      .map(({ auth, galaId, dropId }) => ({ shape: { auth, params: { galaId, dropId } }, refused }));
  return {
    base: fc.oneof(
      combo(gala, unknownId(fixture), 'unknown drop'),
      combo(
        wireOf(otherThan(fixture.galaId)),
        wireOf(fc.constant(fixture.drops.scheduled)),
        "another gala's drop",
      ),
      // Cancelling is idempotent (a repeat answers 200), so the cancelled drop is only a base for breaks.
      combo(gala, wireOf(fc.constantFrom(fixture.drops.scheduled, fixture.drops.cancelled))),
    ),
    breakers: [
      authBreaker(fixture, ['admin']),
      pathBreaker('galaId', badIdentifierSegment(128)),
      pathBreaker('dropId', badUlidSegment(realIds(fixture))),
    ],
  };
};

export const PRICE_DROP_PLANS: Readonly<Record<string, (fixture: Fixture) => RoutePlan>> = {
  'POST /galas/{galaId}/price-drops': createDropPlan,
  'GET /galas/{galaId}/price-drops': (fixture) =>
    identifierReadPlan(fixture, 'galaId', fixture.galaId, ['admin'], ['admin-1']),
  'DELETE /galas/{galaId}/price-drops/{dropId}': cancelDropPlan,
};
