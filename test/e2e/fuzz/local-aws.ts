/**
 * Requests to the runtime's local AWS stand-ins (Scheduler and EventBridge PutEvents) for the fuzz tests
 * (gateway.test.ts), and the judge of their answers.
 */
import fc from 'fast-check';
import {
  FUNCTIONS,
  GALA_DROP_SCHEDULE_GROUP,
  GALA_DROP_TARGET,
} from '../../../functions/shared/contract/wiring.js';
import type { FuzzReply } from './client.js';
import type { Fixture } from './fixture.js';
import type { Case } from './harness.js';
import { judgeErrorBody, type Problem } from './oracle.js';
import { reach } from './requests.js';
import { otherThan, unknownId } from './routes.js';
import { badIdentifier, jsonText, oddSegment, printable } from './values.js';

/**
 * The AWS APIs the runtime answers for its own functions' SDK clients (Scheduler CreateSchedule /
 * DeleteSchedule at /schedules/{name}, EventBridge PutEvents at POST / with x-amz-target). They need no
 * token, so the gateway refuses them to other origins (403) and to media types a page may send (415), in
 * its own error shape; what they refuse themselves they answer in AWS's shape (x-amzn-errortype), as the SDK
 * expects. A schedule may invoke only the price-drop function, as the schedules' role in AWS; a malformed
 * one that fires is refused by that function and changes nothing.
 */
export const localAwsArbitrary = (fixture: Fixture): fc.Arbitrary<Case> => {
  const name = fc.oneof(
    printable(1, 40).map(encodeURIComponent),
    // Not a dot segment, percent-encoded or not: it would re-route the request away from /schedules/.
    oddSegment.filter((s) => s !== '' && !/^(?:\.|%2e){1,2}$/i.test(s)),
  );
  const junkScheduleBody = fc.oneof(
    fc.constantFrom('', '{', 'null', '[]', '"x"', '{}', '{"ScheduleExpression":"rate(1 minute)"}'),
    fc.jsonValue({ maxDepth: 2 }).map((v) => jsonText(v)),
    fc
      .record({
        ScheduleExpression: fc.oneof(fc.constant('at(2020-01-01T00:00:00)'), fc.string()),
        Target: fc.oneof(fc.constant<unknown>(null), fc.record({ Arn: fc.string(), Input: fc.string() })),
      })
      .map((v) => jsonText(v)),
  );
  const arnOf = (fn: string) => `arn:aws:lambda:local:000000000000:function:${fn}`;
  const dropInput = { galaId: fixture.galaId, dropId: fixture.drops.scheduled };
  // Due now, so it fires during the run: every one names nothing the price-drop function may apply.
  const firingNow = (input: string) =>
    jsonText({
      GroupName: GALA_DROP_SCHEDULE_GROUP,
      ScheduleExpression: 'at(2020-01-01T00:00:00)',
      ScheduleExpressionTimezone: 'UTC',
      Target: { Arn: arnOf(GALA_DROP_TARGET), Input: input },
    });
  const badDropInput = fc.oneof(
    fc.constantFrom('{}', 'null', '5', '[]', '"x"', jsonText({ galaId: fixture.galaId })),
    fc.jsonValue({ maxDepth: 2 }).map((v) => jsonText(v)),
    unknownId(fixture).map((dropId) => jsonText({ galaId: fixture.galaId, dropId })),
    otherThan(fixture.galaId).map((galaId) => jsonText({ ...dropInput, galaId })),
    fc.constant(jsonText({ ...dropInput, dropId: fixture.drops.cancelled })),
    badIdentifier(128).map((galaId) => jsonText({ ...dropInput, galaId })),
  );
  const otherTargets = FUNCTIONS.map((fn) => fn.name).filter((fn) => fn !== GALA_DROP_TARGET);
  type Call = { method: string; path: string; type?: string; body?: string; what: string; expect?: number };
  const call = fc.oneof(
    fc.tuple(name, junkScheduleBody).map(
      ([n, body]): Call => ({
        method: 'POST',
        path: `/schedules/${n}`,
        type: 'application/json',
        body,
        what: 'invalid CreateSchedule',
      }),
    ),
    fc.tuple(fc.uuid(), fc.constantFrom(...otherTargets)).map(
      ([n, fn]): Call => ({
        method: 'POST',
        path: `/schedules/fuzz-${n}`,
        type: 'application/json',
        body: jsonText({
          ScheduleExpression: 'at(2020-01-01T00:00:00)',
          Target: { Arn: arnOf(fn), Input: jsonText(dropInput) },
        }),
        what: `a schedule of ${fn}`,
        expect: 400,
      }),
    ),
    fc.tuple(fc.uuid(), badDropInput).map(
      ([n, input]): Call => ({
        method: 'POST',
        path: `/schedules/fuzz-${n}`,
        type: 'application/json',
        body: firingNow(input),
        what: `a price drop firing now with input ${input.slice(0, 60)}`,
        expect: 200,
      }),
    ),
    name.map(
      (n): Call => ({
        method: 'DELETE',
        path: `/schedules/${n}?groupName=no-such-group`,
        what: 'DeleteSchedule of nothing',
      }),
    ),
    fc
      .oneof(
        fc.constantFrom('null', '{"Entries":[]}', '{}', '[]', '{', '1', '{"Entries":"x"}'),
        fc.jsonValue({ maxDepth: 2 }).map((v) => jsonText(v)),
      )
      .map(
        (body): Call => ({
          method: 'POST',
          path: '/',
          type: 'application/x-amz-json-1.1',
          body,
          what: 'invalid PutEvents',
        }),
      ),
  );
  // The SDK's own media types only: anything a page could send without a preflight is refused.
  const media = fc.oneof(
    { weight: 8, arbitrary: fc.constant(undefined) },
    {
      weight: 1,
      arbitrary: fc.constantFrom<string | null>(
        null,
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
      ),
    },
  );
  return fc.tuple(call, reach({ origins: true }), media).map(([c, who, override]) => {
    const withBody = c.body !== undefined;
    const badMedia = withBody && override !== undefined;
    const type = override === undefined ? c.type : (override ?? undefined);
    // A target Node cannot parse (raw bytes beyond ASCII) or over the header limit is refused (400, 431)
    // before anyone looks at who asks; any documented 4xx is right for it then.
    const parsable = /^[\x21-\x7e]*$/.test(c.path) && c.path.length < 8_000;
    const expectStatus = !parsable ? undefined : who.refused !== undefined ? 403 : badMedia ? 415 : c.expect;
    return {
      ...(expectStatus === undefined ? {} : { expectStatus }),
      request: {
        method: c.method,
        target: c.path,
        headers: {
          ...(c.path === '/' ? { 'x-amz-target': 'AWSEvents.PutEvents' } : {}),
          ...(type === undefined ? {} : { 'content-type': type }),
          ...who.headers,
        },
        ...(withBody ? { body: Buffer.from(c.body as string) } : {}),
        breaks: [
          c.what,
          ...(who.refused ? [who.refused] : []),
          ...(badMedia ? [`content-type ${type}`] : []),
        ],
        authLabel: '(none)',
      },
    };
  });
};

/** No 5xx; the gateway's own refusals in its error shape, the stand-ins' in AWS's (x-amzn-errortype). */
export const judgeLocalAws = (_: Case, reply: FuzzReply): Problem[] => {
  if (reply.failure) return [{ kind: 'no answer', detail: reply.failure }];
  if (reply.status >= 500) return [{ kind: `${reply.status}`, detail: reply.text.slice(0, 300) }];
  if (reply.status < 400) return [];
  if (reply.headers['x-amzn-errortype'] !== undefined) {
    return reply.status === 400 || reply.status === 404 || reply.status === 409
      ? []
      : [{ kind: `AWS-shaped ${reply.status}`, detail: reply.text.slice(0, 300) }];
  }
  return judgeErrorBody(reply);
};
