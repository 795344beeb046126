/**
 * The local bus routes events with this matcher, so it must agree with EventBridge on the parts of the
 * pattern language the wiring's rules (and people trying events by hand) use.
 */
import { describe, expect, it } from 'vitest';
import { DEAL_CUE_PATTERN, IVS_STREAM_END_PATTERN } from '../../../functions/shared/contract/wiring.js';
import { type EventPattern, matchesPattern } from '../../../lib/local/event-pattern.js';

const ivsEvent = (eventName: string) => ({
  source: 'aws.ivs',
  'detail-type': 'IVS Stream State Change',
  resources: ['arn:aws:ivs:us-east-1:123456789012:channel/abc'],
  detail: { event_name: eventName, channel_name: 'gala-stream-1' },
});

describe('exact values', () => {
  it('matches an event whose field equals the listed value', () => {
    const pattern: EventPattern = { source: ['livestream.studio'] };

    expect(matchesPattern(pattern, { source: 'livestream.studio' })).toBe(true);
  });

  it('refuses an event whose field has another value', () => {
    const pattern: EventPattern = { source: ['livestream.studio'] };

    expect(matchesPattern(pattern, { source: 'livestream.studio.evil' })).toBe(false);
  });

  it('compares types strictly: the number 5 is not the string "5"', () => {
    const pattern: EventPattern = { detail: { quantity: [5] } };

    expect(matchesPattern(pattern, { detail: { quantity: 5 } })).toBe(true);
    expect(matchesPattern(pattern, { detail: { quantity: '5' } })).toBe(false);
  });

  it('requires every key of the pattern to match', () => {
    const pattern: EventPattern = { source: ['livestream.studio'], 'detail-type': ['Deal Cue'] };

    expect(matchesPattern(pattern, { source: 'livestream.studio', 'detail-type': 'Deal Cue' })).toBe(true);
    expect(matchesPattern(pattern, { source: 'livestream.studio', 'detail-type': 'Other' })).toBe(false);
  });

  it('matches a null value only when the event carries null', () => {
    const pattern: EventPattern = { detail: { galaId: [null] } };

    expect(matchesPattern(pattern, { detail: { galaId: null } })).toBe(true);
    expect(matchesPattern(pattern, { detail: {} })).toBe(false);
  });

  it('ignores event fields the pattern does not mention', () => {
    const pattern: EventPattern = { source: ['aws.ivs'] };

    expect(matchesPattern(pattern, ivsEvent('Stream End'))).toBe(true);
  });
});

describe('any-of arrays', () => {
  it('matches when the value is any of the listed ones', () => {
    const pattern: EventPattern = { detail: { action: ['start', 'resume'] } };

    expect(matchesPattern(pattern, { detail: { action: 'start' } })).toBe(true);
    expect(matchesPattern(pattern, { detail: { action: 'resume' } })).toBe(true);
    expect(matchesPattern(pattern, { detail: { action: 'pause' } })).toBe(false);
  });

  it('never matches an empty list of accepted values', () => {
    expect(matchesPattern({ source: [] }, { source: 'aws.ivs' })).toBe(false);
  });
});

describe('arrays in the event', () => {
  it('matches when any element of the event array is accepted', () => {
    const pattern: EventPattern = { resources: ['arn:b'] };

    expect(matchesPattern(pattern, { resources: ['arn:a', 'arn:b'] })).toBe(true);
  });

  it('refuses when no element of the event array is accepted', () => {
    const pattern: EventPattern = { resources: ['arn:c'] };

    expect(matchesPattern(pattern, { resources: ['arn:a', 'arn:b'] })).toBe(false);
  });

  it('applies matchers to each element', () => {
    const pattern: EventPattern = { resources: [{ prefix: 'arn:aws:ivs:' }] };

    expect(
      matchesPattern(pattern, { resources: ['arn:aws:s3:::x', 'arn:aws:ivs:us-east-1:1:channel/c'] }),
    ).toBe(true);
    expect(matchesPattern(pattern, { resources: ['arn:aws:s3:::x'] })).toBe(false);
  });
});

describe('nested detail', () => {
  it('matches the wiring’s IVS rule on a Stream End only', () => {
    const pattern: EventPattern = {
      source: IVS_STREAM_END_PATTERN.source,
      'detail-type': IVS_STREAM_END_PATTERN.detailType,
      detail: IVS_STREAM_END_PATTERN.detail,
    };

    expect(matchesPattern(pattern, ivsEvent('Stream End'))).toBe(true);
    expect(matchesPattern(pattern, ivsEvent('Stream Start'))).toBe(false);
  });

  it('matches the wiring’s cue rule whatever the detail holds', () => {
    const pattern: EventPattern = {
      source: DEAL_CUE_PATTERN.source,
      'detail-type': DEAL_CUE_PATTERN.detailType,
    };

    expect(
      matchesPattern(pattern, { source: 'livestream.studio', 'detail-type': 'Deal Cue', detail: {} }),
    ).toBe(true);
  });

  it('recurses through several levels', () => {
    const pattern: EventPattern = { detail: { order: { line: { sku: ['JACKET'] } } } };

    expect(matchesPattern(pattern, { detail: { order: { line: { sku: 'JACKET' } } } })).toBe(true);
    expect(matchesPattern(pattern, { detail: { order: { line: { sku: 'HAT' } } } })).toBe(false);
  });

  it('refuses when the event has a plain value where the pattern expects an object', () => {
    const pattern: EventPattern = { detail: { event_name: ['Stream End'] } };

    expect(matchesPattern(pattern, { detail: 'Stream End' })).toBe(false);
    expect(matchesPattern(pattern, { detail: null })).toBe(false);
  });
});

describe('matchers', () => {
  it('prefix matches strings that start with it and nothing else', () => {
    const pattern: EventPattern = { source: [{ prefix: 'livestream.' }] };

    expect(matchesPattern(pattern, { source: 'livestream.studio' })).toBe(true);
    expect(matchesPattern(pattern, { source: 'aws.livestream.studio' })).toBe(false);
    expect(matchesPattern(pattern, { source: 42 })).toBe(false);
  });

  it('exists: true matches a present field, whatever its value', () => {
    const pattern: EventPattern = { detail: { galaId: [{ exists: true }] } };

    expect(matchesPattern(pattern, { detail: { galaId: 'gala-1' } })).toBe(true);
    expect(matchesPattern(pattern, { detail: { galaId: null } })).toBe(true);
    expect(matchesPattern(pattern, { detail: {} })).toBe(false);
  });

  it('exists: false matches only an absent field', () => {
    const pattern: EventPattern = { detail: { galaId: [{ exists: false }] } };

    expect(matchesPattern(pattern, { detail: {} })).toBe(true);
    expect(matchesPattern(pattern, { detail: { galaId: 'gala-1' } })).toBe(false);
  });

  it('anything-but with a list refuses the listed values and accepts the others', () => {
    const pattern: EventPattern = { detail: { action: [{ 'anything-but': ['end', 'pause'] }] } };

    expect(matchesPattern(pattern, { detail: { action: 'start' } })).toBe(true);
    expect(matchesPattern(pattern, { detail: { action: 'end' } })).toBe(false);
    expect(matchesPattern(pattern, { detail: { action: 'pause' } })).toBe(false);
  });

  it('anything-but with a single value refuses that value', () => {
    const pattern: EventPattern = { detail: { action: [{ 'anything-but': 'end' }] } };

    expect(matchesPattern(pattern, { detail: { action: 'start' } })).toBe(true);
    expect(matchesPattern(pattern, { detail: { action: 'end' } })).toBe(false);
  });

  it('an unknown matcher matches nothing', () => {
    const pattern: EventPattern = { source: [{ suffix: '.studio' }] };

    expect(matchesPattern(pattern, { source: 'livestream.studio' })).toBe(false);
  });

  it('mixes exact values and matchers in one list', () => {
    const pattern: EventPattern = { source: ['aws.ivs', { prefix: 'livestream.' }] };

    expect(matchesPattern(pattern, { source: 'aws.ivs' })).toBe(true);
    expect(matchesPattern(pattern, { source: 'livestream.studio' })).toBe(true);
    expect(matchesPattern(pattern, { source: 'aws.s3' })).toBe(false);
  });
});

describe('missing fields', () => {
  it('an exact value does not match a missing field', () => {
    expect(matchesPattern({ source: ['aws.ivs'] }, { 'detail-type': 'IVS Stream State Change' })).toBe(false);
  });

  it('a nested pattern does not match a missing object', () => {
    expect(matchesPattern({ detail: { event_name: ['Stream End'] } }, { source: 'aws.ivs' })).toBe(false);
  });

  it('prefix and anything-but do not match a missing field', () => {
    expect(matchesPattern({ source: [{ prefix: '' }] }, {})).toBe(false);
    expect(matchesPattern({ source: [{ 'anything-but': ['aws.ivs'] }] }, {})).toBe(false);
  });

  it('an inherited property is not a present field', () => {
    const event = Object.create({ source: 'aws.ivs' }) as Record<string, unknown>;

    expect(matchesPattern({ source: ['aws.ivs'] }, event)).toBe(false);
  });

  it('an empty pattern matches any event', () => {
    expect(matchesPattern({}, { source: 'anything' })).toBe(true);
  });
});
