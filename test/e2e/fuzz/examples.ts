/**
 * Known triggers: requests that showed a problem in an earlier run, sent first by every run of their family
 * (fast-check `examples`), so each stays fixed once fixed.
 */
import { FUNCTIONS, GALA_DROP_TARGET } from '../../../functions/shared/contract/wiring.js';
import type { FuzzRequest } from './client.js';
import type { EntryPlan } from './event-entries.js';
import type { EventsCase } from './events.js';
import type { Fixture, Principal } from './fixture.js';
import type { Case } from './harness.js';

/** A request as a fuzz case, for the examples below. */
const example = (
  request: Partial<FuzzRequest> & Pick<FuzzRequest, 'method' | 'target'>,
  expectStatus?: number,
): Case => ({
  request: { headers: {}, breaks: ['known trigger'], authLabel: '(none)', ...request },
  ...(expectStatus === undefined ? {} : { expectStatus }),
});

/** The unauthenticated stand-ins as a page of another site would call them, and as a rebound host name. */
const crossSite = (
  method: string,
  target: string,
  headers: Record<string, string>,
  body?: string,
): Case[] => {
  const request = { method, target, ...(body === undefined ? {} : { body: Buffer.from(body) }) };
  return [
    // The preflight a page would need first: refused like any unknown route, and without CORS headers.
    example(
      {
        method: 'OPTIONS',
        target,
        headers: {
          origin: 'https://evil.example',
          'access-control-request-method': method,
          'access-control-request-headers': 'content-type',
        },
      },
      404,
    ),
    example({ ...request, headers: { ...headers, origin: 'https://evil.example' } }, 403),
    example({ ...request, headers: { ...headers, host: 'rebound.evil.example:3000' } }, 403),
    ...(body === undefined
      ? []
      : [example({ ...request, headers: { ...headers, 'content-type': 'text/plain' } }, 415)]),
  ];
};
const as = (fixture: Fixture, principal: Principal) => ({
  headers: { authorization: `Bearer ${fixture.tokens[principal]}` },
  authLabel: `Bearer <${principal}>`,
});

/**
 * Requests that showed a problem in an earlier run: every run sends them first (fast-check `examples`), so
 * each stays fixed once fixed. Per family; every wiring route also gets the gateway's framing cases.
 */
export const EXAMPLES: Readonly<Record<string, (fixture: Fixture) => Case[]>> = {
  'GET /deals/{dealId}': (fixture) => [
    // Raw UTF-8 bytes in the path (as curl sends an unencoded path): Node's parser answers 400 with no body.
    example({
      method: 'GET',
      target: `/deals/${Buffer.from('é').toString('latin1')}`,
      ...as(fixture, 'viewer-1'),
    }),
    // A request line over Node's 16 KiB header limit: 431 with no body.
    example({ method: 'GET', target: `/deals/${'A'.repeat(17_000)}`, ...as(fixture, 'viewer-1') }),
  ],
  'GET /me/coupons': (fixture) => [
    // An unknown query parameter named __proto__: the runtime's event builder drops it (plain-object
    // assignment), so the strict query schema never sees it; in AWS the event is parsed JSON and it is refused.
    example({ method: 'GET', target: '/me/coupons?__proto__=1', ...as(fixture, 'viewer-1') }),
    // A cursor naming the right viewer but not a whole key: the store refuses the start key.
    example({
      method: 'GET',
      target: `/me/coupons?cursor=${Buffer.from('{"GSI1PK":"VIEWER#viewer-1"}').toString('base64url')}`,
      ...as(fixture, 'viewer-1'),
    }),
    example({
      method: 'GET',
      target: `/me/coupons?cursor=${Buffer.from('{"PK":"","SK":"","GSI1PK":"VIEWER#viewer-1","GSI1SK":""}').toString('base64url')}`,
      ...as(fixture, 'viewer-1'),
    }),
  ],
  gateway: () => [
    // Refused by Node's parser (raw bytes, a request line over the limit): no body may follow an answer to HEAD.
    example({ method: 'HEAD', target: `/deals/${Buffer.from('é').toString('latin1')}` }),
    example({ method: 'HEAD', target: `/deals/${'A'.repeat(10_300)}` }, 431),
    ...crossSite(
      'POST',
      '/local/token',
      { 'content-type': 'application/json' },
      '{"sub":"x","role":"admin"}',
    ),
    // Request line and headers over API Gateway's 10 KiB (Node's own limit is 16 KiB).
    example({ method: 'GET', target: `/deals/${'A'.repeat(10_300)}` }, 431),
    // Scheme-relative targets whose "host" is not a valid URL host: new URL() throws outside serve's try.
    example({ method: 'GET', target: '//x:y' }),
    example({ method: 'GET', target: '//[/deals' }),
  ],
  'local AWS APIs': () => [
    ...crossSite(
      'POST',
      '/',
      { 'x-amz-target': 'AWSEvents.PutEvents', 'content-type': 'application/x-amz-json-1.1' },
      '{"Entries":[]}',
    ),
    ...crossSite('DELETE', '/schedules/x?groupName=livedrop-gala-drops', {}),
    // A schedule of any function but the price drop's: the schedules' role may invoke only that one.
    ...FUNCTIONS.filter((fn) => fn.name !== GALA_DROP_TARGET).map((fn) =>
      example(
        {
          method: 'POST',
          target: `/schedules/fuzz-example-${fn.name}`,
          headers: { 'content-type': 'application/json' },
          body: Buffer.from(
            JSON.stringify({
              ScheduleExpression: 'at(2020-01-01T00:00:00)',
              Target: { Arn: `arn:aws:lambda:local:000000000000:function:${fn.name}`, Input: '{}' },
            }),
          ),
        },
        400,
      ),
    ),
    example({ method: 'DELETE', target: '/schedules/%' }),
    example({
      method: 'POST',
      target: '/schedules/x',
      headers: { 'content-type': 'application/json' },
      body: Buffer.from('{'),
    }),
    ...['null', '{"Entries":[]}', '{"Entries":"x"}'].map((body) =>
      example({
        method: 'POST',
        target: '/',
        headers: { 'x-amz-target': 'AWSEvents.PutEvents', 'content-type': 'application/x-amz-json-1.1' },
        body: Buffer.from(body),
      }),
    ),
  ],
};

/** Entries and requests of /local/events whose answer an earlier run got wrong or that crashed the bus. */
export const eventExamples = (): EventsCase[] => {
  const ivs = (extra: Record<string, unknown>) => ({
    Source: 'aws.ivs',
    DetailType: 'IVS Stream State Change',
    Detail: JSON.stringify({ event_name: 'Stream End', channel_name: '' }),
    ...extra,
  });
  const one = (
    entry: Record<string, unknown>,
    expect: EntryPlan['expect'],
    what: string,
    headers: Record<string, string> = { 'content-type': 'application/json' },
    expectStatus = 200,
  ): EventsCase => ({
    ...(expectStatus === 200 ? { entries: [{ entry, expect, what }] } : {}),
    wait: true,
    expectStatus,
    request: {
      method: 'POST',
      target: '/local/events?wait=true',
      headers,
      body: Buffer.from(JSON.stringify({ Entries: [entry] })),
      breaks: ['known trigger', what],
      authLabel: '(none)',
    },
  });
  return [
    // Resources String() cannot convert: once a crash of the bus, now a refused entry.
    one(ivs({ Resources: [{ toString: 1 }] }), 'malformed', 'Resources [{"toString":1}]'),
    // Time as the AWS SDK writes a Date (epoch seconds): delivered, then refused by the handler.
    one(ivs({ Time: 1_735_689_600 }), 'delivered', 'Time in epoch seconds'),
    // Date.parse reads "1" as the year 2001: not an ISO 8601 instant.
    one(ivs({ Time: '1' }), 'malformed', 'Time "1"'),
    // What a page of another site may send without a CORS preflight.
    one(ivs({}), 'delivered', 'text/plain', { 'content-type': 'text/plain' }, 415),
    one(
      ivs({}),
      'delivered',
      'a page of another origin',
      { 'content-type': 'application/json', origin: 'https://evil.example' },
      403,
    ),
    one(
      ivs({}),
      'delivered',
      'a rebound host name',
      { 'content-type': 'application/json', host: 'evil.example:3000' },
      403,
    ),
  ];
};
