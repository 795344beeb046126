/**
 * EventBridge entries for the fuzz tests of the local bus (events.test.ts) that can never succeed: malformed
 * (refused by PutEvents), matching no rule, or delivered to a handler that must refuse them.
 */
import fc from 'fast-check';
import type { Fixture, RealDeal } from './fixture.js';
import { otherThan, realDeals, realIds, unknownId } from './routes.js';
import { CUE_ACTIONS, type CueAction } from './schemas.js';
import { badIdentifier, badInt, isoAt, printable } from './values.js';

export interface EntryPlan {
  entry: Record<string, unknown>;
  expect: 'malformed' | 'unmatched' | 'delivered';
  what: string;
}

/** EventBridge entries that can never succeed: malformed, matching no rule, or refused by their handler. */
export const eventEntries = (fixture: Fixture): fc.Arbitrary<EntryPlan> => {
  const { live, scheduled, ended, soldOut, lapsed } = fixture.deals;
  const all = realDeals(fixture);
  const cued = [live, ended, soldOut, lapsed];
  const at = fc
    .oneof(
      fc.integer({ min: Date.parse('2021-01-01T00:00:00Z'), max: Date.parse('2025-01-01T00:00:00Z') }),
      fc.integer({ min: Date.now() + 60_000, max: Date.now() + 86_400_000 }),
    )
    .map((ms) => isoAt(ms, 0));
  const stale = fc
    .integer({ min: Date.parse('2021-01-01T00:00:00Z'), max: Date.parse('2025-01-01T00:00:00Z') })
    .map((ms) => isoAt(ms, 60));
  const detail = (
    deals: fc.Arbitrary<{ dealId: string; streamId: string }>,
    hostId: fc.Arbitrary<string>,
    actions: readonly CueAction[],
    when: fc.Arbitrary<string>,
    streamOverride?: fc.Arbitrary<string>,
  ) =>
    fc
      .record({
        deal: deals,
        hostId,
        action: fc.constantFrom(...actions),
        at: when,
        cueId: printable(1, 128),
        stream: streamOverride ?? fc.constant(undefined),
        quantity: fc.integer({ min: 1, max: 1_000 }),
        durationSeconds: fc.integer({ min: 1, max: 3_600 }),
      })
      .map(({ deal, stream, quantity, durationSeconds, ...rest }) => ({
        ...rest,
        dealId: deal.dealId,
        streamId: stream ?? deal.streamId,
        ...(rest.action === 'restock' ? { quantity } : {}),
        ...(rest.action === 'extend' ? { durationSeconds } : {}),
      }));
  const real = (deals: RealDeal[]) => fc.constantFrom(...deals);
  const unknownDeal = fc.record({ dealId: unknownId(fixture), streamId: printable(1, 128) });
  const host = fc.constant('host-1');
  const refusedCues: [fc.Arbitrary<Record<string, unknown>>, string][] = [
    [detail(unknownDeal, printable(1, 256), CUE_ACTIONS, at), 'cue: unknown deal'],
    [detail(real(all), otherThan('host-1'), CUE_ACTIONS, at), 'cue: not the host'],
    [
      detail(
        real(all),
        host,
        CUE_ACTIONS,
        at,
        printable(1, 128).filter((s) => !all.some((d) => d.streamId === s)),
      ),
      'cue: another stream',
    ],
    [detail(real(cued), host, ['start', 'pause', 'resume', 'end'], stale), 'cue: stale'],
    [detail(real(all), host, ['extend'], at), 'cue: extend without duration'],
    [detail(real([ended]), host, ['restock', 'extend'], at), 'cue: ENDED deal'],
    [detail(real([ended]), host, ['start', 'pause', 'resume'], at), 'cue: ENDED deal'],
  ];
  // Valid-shaped cues that would apply: sent only with a broken detail field.
  const applicable = fc.oneof(
    detail(real([live, soldOut, lapsed]), host, ['pause', 'end', 'restock'], at),
    detail(real([scheduled]), host, ['start', 'end'], at),
    // An end on an ended deal re-asserts the end on every shard: accepted, and it changes nothing.
    detail(real([ended]), host, ['end'], at),
  );
  const cueFields: Record<string, fc.Arbitrary<unknown>> = {
    cueId: badIdentifier(128),
    dealId: fc.oneof(notStringOrBad(realIds(fixture))),
    streamId: badIdentifier(128),
    hostId: badIdentifier(256),
    action: fc.oneof(fc.constantFrom('START', 'Pause', '', 'stop', 'end '), badIdentifier(10)),
    quantity: badInt(1, 10_000_000),
    durationSeconds: badInt(1, 7 * 86_400),
    at: fc.oneof(
      fc.constantFrom(
        '2027-02-30T10:00:00Z',
        '2027-01-01T00:00:00',
        '2027-01-01',
        'now',
        '',
        '2027-01-01T00:00:60Z',
      ),
      fc.integer().map((n) => n as unknown),
    ),
  };
  const brokenCue = fc
    .tuple(
      fc.oneof(applicable, ...refusedCues.map(([arb]) => arb)),
      fc.constantFrom(...Object.keys(cueFields)),
      fc.boolean(),
    )
    .chain(([d, field, drop]) =>
      drop && ['cueId', 'dealId', 'streamId', 'hostId', 'action', 'at'].includes(field)
        ? fc.constant({ detail: withoutKey(d, field), what: `cue: detail.${field} missing` })
        : (cueFields[field] as fc.Arbitrary<unknown>).map((value) => ({
            detail: { ...d, [field]: value },
            what: `cue: detail.${field} invalid`,
          })),
    );
  const cueEntry = (d: Record<string, unknown>, bus: unknown) => ({
    Source: 'livestream.studio',
    DetailType: 'Deal Cue',
    Detail: JSON.stringify(d),
    ...(bus === undefined ? {} : { EventBusName: bus }),
  });
  const cueBus = fc.constantFrom('livedrop', 'arn:aws:events:us-east-1:000000000000:event-bus/livedrop');
  const ivsDetail = fc
    .record({
      event_name: fc.constant<unknown>('Stream End'),
      channel_name: fc.option(badIdentifier(128), { nil: undefined }),
      stream_id: fc.option(fc.oneof(fc.string(), notStringValue()), { nil: undefined }),
    })
    // channel_name missing or invalid: never a valid detail.
    .map((d) => compactRecord(d));
  const ivsEntry = (d: Record<string, unknown>, bus?: unknown) => ({
    Source: 'aws.ivs',
    DetailType: 'IVS Stream State Change',
    Detail: JSON.stringify(d),
    ...(bus === undefined ? {} : { EventBusName: bus }),
  });
  const delivered: fc.Arbitrary<EntryPlan> = fc.oneof(
    ...refusedCues.map(([arb, what]) =>
      fc
        .tuple(arb, cueBus)
        .map(([d, bus]) => ({ entry: cueEntry(d, bus), expect: 'delivered' as const, what })),
    ),
    fc.tuple(brokenCue, cueBus).map(([{ detail: d, what }, bus]) => ({
      entry: cueEntry(d, bus),
      expect: 'delivered' as const,
      what,
    })),
    fc.tuple(ivsDetail, fc.constantFrom(undefined, 'default')).map(([d, bus]) => ({
      entry: ivsEntry(d, bus),
      expect: 'delivered' as const,
      what: 'ivs: bad detail',
    })),
    fc.tuple(fc.string({ maxLength: 20 }), badIdentifier(128)).map(([name, channel]) => ({
      entry: ivsEntry({ event_name: ['Stream End', name], channel_name: channel }),
      expect: 'delivered' as const,
      what: 'ivs: event_name a list, bad channel',
    })),
  );
  const unmatched: fc.Arbitrary<EntryPlan> = fc.oneof(
    fc
      .tuple(fc.oneof(applicable, ...refusedCues.map(([a]) => a)), fc.constantFrom(undefined, 'default'))
      .map(([d, bus]) => ({
        entry: cueEntry(d, bus),
        expect: 'unmatched' as const,
        what: 'cue on the default bus',
      })),
    fc
      .tuple(applicable, fc.constantFrom('livestream.Studio', 'livestream.studio ', 'aws.ivs', 'livedrop'))
      .map(([d, source]) => ({
        entry: { ...cueEntry(d, 'livedrop'), Source: source },
        expect: 'unmatched' as const,
        what: `cue from ${source}`,
      })),
    fc
      .tuple(applicable, fc.constantFrom('Deal cue', 'Deal Cue ', 'DealCue', 'Deal Started'))
      .map(([d, type]) => ({
        entry: { ...cueEntry(d, 'livedrop'), DetailType: type },
        expect: 'unmatched' as const,
        what: `detail-type ${type}`,
      })),
    fc
      .tuple(
        fc.constantFrom<unknown>('Stream Start', 'stream end', 'Stream End ', 42, null, []),
        printable(1, 128),
      )
      .map(([name, channel]) => ({
        entry: ivsEntry({ event_name: name, channel_name: channel }),
        expect: 'unmatched' as const,
        what: `ivs event_name ${JSON.stringify(name)}`,
      })),
    fc.tuple(ivsDetail).map(([d]) => ({
      entry: ivsEntry(d, 'livedrop'),
      expect: 'unmatched' as const,
      what: 'ivs on the livedrop bus',
    })),
  );
  const entryBreaks: [string, (e: Record<string, unknown>) => fc.Arbitrary<Record<string, unknown>>][] = [
    [
      'Source',
      (e) =>
        fc.oneof(
          fc.constant(withoutKey(e, 'Source')),
          notEmptyStringValue().map((v) => ({ ...e, Source: v })),
        ),
    ],
    [
      'DetailType',
      (e) =>
        fc.oneof(
          fc.constant(withoutKey(e, 'DetailType')),
          notEmptyStringValue().map((v) => ({ ...e, DetailType: v })),
        ),
    ],
    [
      'Detail',
      (e) =>
        fc.oneof(
          fc.constant(withoutKey(e, 'Detail')),
          fc
            .constantFrom<unknown>(
              '',
              'not json',
              '[1]',
              'null',
              '"x"',
              '42',
              '{',
              '{"a":1}}',
              7,
              null,
              { a: 1 },
              ['{}'],
            )
            .map((v) => ({ ...e, Detail: v })),
        ),
    ],
    [
      'EventBusName',
      (e) =>
        fc
          .constantFrom<unknown>(
            '',
            'other',
            'Livedrop',
            'arn:aws:events:us-east-1:0:event-bus/other',
            'arn:',
            5,
            null,
            {},
          )
          .map((v) => ({ ...e, EventBusName: v })),
    ],
  ];
  const malformed: fc.Arbitrary<EntryPlan> = fc.oneof(
    fc
      .tuple(fc.oneof(delivered, unmatched), fc.constantFrom(...entryBreaks))
      .chain(([plan, [field, breakIt]]) =>
        breakIt(plan.entry).map((entry) => ({
          entry,
          expect: 'malformed' as const,
          what: `entry.${field} malformed`,
        })),
      ),
    fc.constantFrom<unknown>(null, 1, 'entry', [], true).map((entry) => ({
      entry: entry as Record<string, unknown>,
      expect: 'malformed' as const,
      what: 'entry not an object',
    })),
  );
  // Optional fields of an entry: Resources, a list of ARNs (strings), and Time, an ISO 8601 instant with its
  // offset or epoch seconds (the SDK's wire form). An entry with either one malformed is refused as a whole.
  const extra = (good: fc.Arbitrary<unknown>, bad: fc.Arbitrary<unknown>) =>
    fc.option(
      fc.oneof(
        { weight: 3, arbitrary: good.map((value) => ({ value, ok: true })) },
        { weight: 1, arbitrary: bad.map((value) => ({ value, ok: false })) },
      ),
      { nil: undefined },
    );
  const resources = extra(
    fc.oneof(
      { weight: 3, arbitrary: fc.array(fc.string({ maxLength: 40 }), { maxLength: 3 }) },
      { weight: 1, arbitrary: fc.constant(['arn:aws:ivs:us-east-1:123456789012:channel/fuzzchannel']) },
    ),
    fc.oneof(
      fc
        .tuple(
          fc.array(fc.string({ maxLength: 20 }), { maxLength: 2 }),
          fc.jsonValue({ maxDepth: 1 }).filter((v) => typeof v !== 'string'),
        )
        .map(([strings, odd]) => [...strings, odd]),
      fc.constantFrom<unknown>(
        'not-a-list',
        7,
        null,
        { a: 1 },
        [{ toString: 1 }],
        [{ valueOf: 'x', toString: null }],
      ),
    ),
  );
  const time = extra(
    fc.oneof(
      fc
        .tuple(
          fc.integer({ min: 0, max: Date.parse('2100-01-01T00:00:00Z') }),
          fc.constantFrom(0, 60, -300, 330),
        )
        .map(([ms, offset]) => isoAt(ms, offset)),
      fc.integer({ min: 0, max: 4_102_444_800 }),
    ),
    fc.oneof(
      fc.constantFrom<unknown>(
        '2027-02-30T10:00:00Z',
        '2027-01-01T00:00:00',
        '2027-01-01',
        '2027-01-01T00:00:60Z',
        'now',
        '',
        '1',
        '2020',
        'Jan 1 2027',
        null,
        true,
        [],
        {},
      ),
      fc.integer({ max: -1 }),
      fc.string({ maxLength: 30 }).map((text) => `x${text}`),
    ),
  );
  return fc
    .tuple(
      fc.oneof(
        { weight: 5, arbitrary: delivered },
        { weight: 2, arbitrary: unmatched },
        { weight: 2, arbitrary: malformed },
      ),
      resources,
      time,
    )
    .map(([plan, r, t]): EntryPlan => {
      if (plan.entry === null || typeof plan.entry !== 'object' || Array.isArray(plan.entry)) return plan;
      const entry = compactRecord({ ...plan.entry, Resources: r?.value, Time: t?.value });
      const odd = [r?.ok === false ? 'Resources' : '', t?.ok === false ? 'Time' : ''].filter(Boolean);
      if (odd.length === 0 || plan.expect === 'malformed') return { ...plan, entry };
      return { entry, expect: 'malformed', what: `entry.${odd.join(' and ')} malformed` };
    });
};

const withoutKey = (object: Record<string, unknown>, key: string) => {
  const { [key]: _, ...rest } = object;
  return rest;
};
const compactRecord = (object: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined));
const notStringValue = () =>
  fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.integer(), { maxLength: 2 }));
const notEmptyStringValue = () => fc.oneof(fc.constant<unknown>(''), notStringValue());
const notStringOrBad = (reals: string[]) =>
  fc.oneof(
    notStringValue(),
    fc.constantFrom<unknown>('', 'x', ...reals.map((id) => id.toLowerCase())),
    printable(1, 40).filter((s) => !/^[0-9A-HJKMNP-TV-Z]{26}$/.test(s)),
  );
