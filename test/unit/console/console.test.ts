import { describe, expect, it } from 'vitest';
import { ApiError, rolesOf, subjectOf } from '../../../lib/console/api.js';
import { claimRate, formatCountdown, formatInZone, toMinorUnits } from '../../../lib/console/format.js';
import { describeError, ERROR_MESSAGES } from '../../../lib/console/messages.js';
import { runPool } from '../../../lib/console/simulate.js';

/** The console's pure parts: amounts, countdowns, the claims/s figure, error sentences, the viewer pool. */

const tokenWith = (claims: Record<string, unknown>) =>
  `e30.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`;

describe('amounts', () => {
  it.each([
    ['120.00', 'EUR', 12_000],
    ['120', 'EUR', 12_000],
    ['60,5', 'EUR', 6_050],
    ['1500', 'JPY', 1_500],
  ])('%s %s is %d minor units', (amount, currency, minor) => {
    expect(toMinorUnits(amount, currency)).toBe(minor);
  });

  it.each([
    ['12.345', 'EUR'],
    ['12.5', 'JPY'],
    ['-3', 'EUR'],
    ['abc', 'EUR'],
    ['', 'EUR'],
  ])('refuses %s %s', (amount, currency) => {
    expect(toMinorUnits(amount, currency)).toBeUndefined();
  });
});

describe('countdowns and zones', () => {
  it('counts down in days, hours, minutes and seconds, and says now once reached', () => {
    expect(formatCountdown(93_784_000)).toBe('1d 02:03:04');
    expect(formatCountdown(59_001)).toBe('00:01:00');
    expect(formatCountdown(0)).toBe('now');
    expect(formatCountdown(-5_000)).toBe('now');
  });

  it('reads an instant as the people of its zone do', () => {
    expect(formatInZone('2026-12-01T11:00:00Z', 'Asia/Tokyo')).toMatch(/20:00.*GMT\+9/);
    expect(formatInZone('2026-07-01T18:00:00Z', 'Europe/Berlin')).toMatch(/20:00.*CEST|20:00.*GMT\+2/);
  });
});

describe('claims per second', () => {
  it('is the rise in held + redeemed over the time between polls', () => {
    expect(claimRate({ at: 0, claimed: 10 }, { at: 2_000, claimed: 30 })).toBe(10);
  });

  it('counts expiries and releases (a fall) as no claims, and a zero interval as none', () => {
    expect(claimRate({ at: 0, claimed: 30 }, { at: 1_000, claimed: 25 })).toBe(0);
    expect(claimRate({ at: 1_000, claimed: 0 }, { at: 1_000, claimed: 5 })).toBe(0);
  });
});

describe('error sentences', () => {
  it('turns a known code into its sentence', () => {
    expect(describeError(new ApiError(409, 'SOLD_OUT', 'Deal X is sold out.'))).toBe(ERROR_MESSAGES.SOLD_OUT);
  });

  it('names each invalid field', () => {
    const error = new ApiError(400, 'VALIDATION_FAILED', 'The request is not valid.', [
      { field: 'body.stock', message: 'Too small' },
      { field: 'path.dealId', message: 'Must be a ULID.' },
    ]);

    expect(describeError(error)).toBe(
      'Some of what was sent is not valid: stock: Too small; dealId: Must be a ULID.',
    );
  });

  it('says which status a deal that is not live has', () => {
    expect(describeError(new ApiError(409, 'DEAL_NOT_LIVE', 'x', { status: 'PAUSED' }))).toBe(
      'The deal is paused, so nobody can claim it right now.',
    );
  });

  it('shows the server’s message for a code it does not know', () => {
    expect(describeError(new ApiError(418, 'TEAPOT_BREWING', 'Still brewing, retry in 3 s.'))).toBe(
      'Still brewing, retry in 3 s.',
    );
  });

  it('explains API Gateway’s own answers, which carry no code, by status', () => {
    expect(describeError(new ApiError(401, undefined, 'Unauthorized'))).toBe(ERROR_MESSAGES.UNAUTHORIZED);
    expect(describeError(new ApiError(429, undefined, 'Too Many Requests'))).toMatch(/throttling/);
    expect(describeError(new ApiError(0, undefined, 'Failed to fetch'))).toMatch(/could not be reached/);
  });
});

describe('tokens as the page reads them', () => {
  it('finds the livedrop roles in scope or scp, and the subject', () => {
    expect(rolesOf(tokenWith({ scope: 'openid livedrop/host livedrop/admin' }))).toStrictEqual([
      'host',
      'admin',
    ]);
    expect(rolesOf(tokenWith({ scp: ['livedrop/viewer'] }))).toStrictEqual(['viewer']);
    expect(subjectOf(tokenWith({ sub: 'host-1' }))).toBe('host-1');
  });

  it('finds nothing in what is not a token', () => {
    expect(rolesOf('not a token')).toStrictEqual([]);
    expect(subjectOf('a.b.c')).toBeUndefined();
  });
});

describe('the virtual viewers’ pool', () => {
  it('runs every item once with never more than the limit in flight', async () => {
    let inFlight = 0;
    let most = 0;
    const seen: number[] = [];

    await runPool(50, 8, async (index) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setTimeout(resolve, index % 3));
      seen.push(index);
      inFlight--;
    });

    expect(most).toBe(8);
    expect(seen.sort((a, b) => a - b)).toStrictEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('uses no more workers than items', async () => {
    let most = 0;
    let inFlight = 0;
    await runPool(3, 8, async () => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 1));
      inFlight--;
    });

    expect(most).toBe(3);
  });
});
