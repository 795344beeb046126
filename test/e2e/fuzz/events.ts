/**
 * Requests to the local bus (POST /local/events, PutEvents as the studio and IVS would send it) for the fuzz
 * tests (events.test.ts), and the judge of its answers: each entry refused, unmatched or delivered and
 * refused by its handler with a documented code, as planned.
 */
import fc from 'fast-check';
import { JSON_TYPES } from './bodies.js';
import type { FuzzReply } from './client.js';
import { type EntryPlan, eventEntries } from './event-entries.js';
import type { Fixture } from './fixture.js';
import type { Case } from './harness.js';
import { DOCUMENTED_CODES, judgeErrorBody, type Problem } from './oracle.js';
import type { Tally } from './report.js';
import { noiseHeaders, type Reach, reach } from './requests.js';
import { jsonText } from './values.js';

export interface EventsCase extends Case {
  /** Absent when the request as a whole is refused. */
  entries?: EntryPlan[];
  wait: boolean;
  expectStatus: number;
}

export const eventsArbitrary = (fixture: Fixture): fc.Arbitrary<EventsCase> => {
  const query = fc.oneof(
    { weight: 8, arbitrary: fc.constant({ query: 'wait=true', wait: true }) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        { query: '', wait: false },
        { query: 'wait=TRUE', wait: false },
        { query: 'wait=1', wait: false },
      ),
    },
  );
  // JSON only: a page of another origin may send text/plain or a form without a CORS preflight.
  const contentType = fc.oneof(
    { weight: 6, arbitrary: JSON_TYPES.map((type) => ({ type, ok: true })) },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom(
          undefined,
          'text/plain',
          'application/x-amz-json-1.1',
          'application/x-www-form-urlencoded',
          'multipart/form-data; boundary=x',
          'application/json; charset=iso-8859-1',
        )
        .map((type) => ({ type, ok: false })),
    },
  );
  const request = (
    q: { query: string },
    type: string | undefined,
    body: Buffer,
    breaks: string[],
    headers: Record<string, string>,
  ) => ({
    method: 'POST',
    target: q.query === '' ? '/local/events' : `/local/events?${q.query}`,
    headers: { ...headers, ...(type === undefined ? {} : { 'content-type': type }) },
    body,
    breaks,
    authLabel: '(none)',
  });
  /** What the gateway answers before reading the body: 403 for who asks, 415 for the media type. */
  const gatekeeper = (who: Reach, media: { type: string | undefined; ok: boolean }) =>
    who.refused !== undefined
      ? { status: 403 as const, why: who.refused }
      : media.ok
        ? undefined
        : { status: 415 as const, why: `content-type ${JSON.stringify(media.type)}` };
  const valid = fc
    .tuple(
      fc.array(eventEntries(fixture), { minLength: 1, maxLength: 10 }),
      query,
      contentType,
      noiseHeaders,
      reach({ origins: true }),
    )
    .map(([entries, q, media, headers, who]) => {
      const refused = gatekeeper(who, media);
      const body = Buffer.from(jsonText({ Entries: entries.map((e) => e.entry) }));
      return {
        ...(refused ? {} : { entries }),
        wait: q.wait,
        ...(q.wait ? {} : { settleMs: 200 }),
        expectStatus: refused?.status ?? 200,
        request: request(q, media.type, body, refused ? [refused.why] : entries.map((e) => e.what), {
          ...headers,
          ...who.headers,
        }),
      };
    });
  const refused = fc
    .tuple(
      fc.oneof(
        fc.constant({ text: '{"Entries":[]}', what: 'no entries', status: 400 as const }),
        fc.array(eventEntries(fixture), { minLength: 11, maxLength: 14 }).map((entries) => ({
          text: jsonText({ Entries: entries.map((e) => e.entry) }),
          what: `${entries.length} entries`,
          status: 400 as const,
        })),
        fc
          .jsonValue({ maxDepth: 1 })
          .map((value) => ({
            text: jsonText({ Entries: value }),
            what: 'Entries not a list',
            status: 400 as const,
          }))
          .filter((c) => !c.text.startsWith('{"Entries":[')),
        fc
          .constantFrom('null', '[]', '"x"', '1', '{}', '{"entries":[]}', '{', '', 'Entries', '\ufeff{}')
          .map((text) => ({
            text,
            what: `body ${JSON.stringify(text)}`,
            status: 400 as const,
          })),
        fc.constant({
          text: `{"Entries":[${'1,'.repeat(5_300_000)}1]}`,
          what: 'body over 10 MiB',
          status: 413 as const,
        }),
      ),
      query,
      contentType,
      noiseHeaders,
      reach({ origins: true }),
    )
    .map(([c, q, media, headers, who]) => {
      // The size is checked while reading, before anything else.
      const refused = c.status === 413 ? undefined : gatekeeper(who, media);
      return {
        wait: q.wait,
        ...(q.wait ? {} : { settleMs: 200 }),
        expectStatus: refused?.status ?? c.status,
        request: request(q, media.type, Buffer.from(c.text), [refused?.why ?? c.what], {
          ...headers,
          ...who.headers,
        }),
      };
    });
  return fc.oneof({ weight: 6, arbitrary: valid }, { weight: 1, arbitrary: refused });
};

export const judgeEvents =
  (tally: Tally) =>
  (c: EventsCase, reply: FuzzReply): Problem[] => {
    if (reply.failure) return [{ kind: 'no answer', detail: reply.failure }];
    if (reply.status >= 500) return [{ kind: `${reply.status}`, detail: reply.text.slice(0, 300) }];
    // A status other than the expected one is reported by `fuzz` itself.
    if (reply.status !== 200) return judgeErrorBody(reply);
    if (c.entries === undefined) return [];
    const problems: Problem[] = [];
    let body: {
      FailedEntryCount?: unknown;
      Entries?: { EventId?: string; ErrorCode?: string }[];
      Unmatched?: number[];
      Deliveries?: {
        entry: number;
        ok: boolean;
        error?: string;
        result?: { outcome?: string; code?: string };
      }[];
    };
    try {
      body = JSON.parse(reply.text);
    } catch {
      return [{ kind: 'PutEvents answer not JSON', detail: reply.text.slice(0, 300) }];
    }
    const entries = body.Entries ?? [];
    if (entries.length !== c.entries.length) {
      problems.push({
        kind: 'PutEvents answered for a different number of entries',
        detail: reply.text.slice(0, 300),
      });
    }
    for (const [i, plan] of c.entries.entries()) {
      const failed = entries[i]?.ErrorCode !== undefined;
      const isUnmatched = body.Unmatched?.includes(i) === true;
      if (failed) tally.count(`event entry ${entries[i]?.ErrorCode}`);
      else if (isUnmatched) tally.count('event unmatched');
      const got = failed ? 'malformed' : isUnmatched ? 'unmatched' : 'delivered';
      if (got !== plan.expect) {
        problems.push({
          kind: `${plan.what}: ${got}, expected ${plan.expect}`,
          detail: JSON.stringify(plan.entry).slice(0, 300),
        });
      }
    }
    for (const delivery of body.Deliveries ?? []) {
      const plan = c.entries[delivery.entry];
      if (!delivery.ok) {
        problems.push({
          kind: `delivery failed (the handler threw): ${String(delivery.error).slice(0, 120)}`,
          detail: JSON.stringify(plan?.entry).slice(0, 300),
        });
        continue;
      }
      const outcome = delivery.result?.outcome;
      const code = delivery.result?.code ?? '';
      tally.count(`event ${outcome} ${code}`.trim());
      if (outcome !== 'rejected') {
        problems.push({
          kind: `event that should be refused was ${outcome}`,
          detail: JSON.stringify(plan?.entry).slice(0, 300),
        });
      } else if (DOCUMENTED_CODES[code] === undefined) {
        problems.push({
          kind: `event refused with undocumented code ${code}`,
          detail: JSON.stringify(delivery.result),
        });
      }
    }
    return problems;
  };
