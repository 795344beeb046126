/**
 * Gala price drops at the edge: the three admin routes (schedule, list, cancel) and the target of a drop's
 * one-time schedule, each against the fake engine.
 */

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createApplyPriceDropHandler } from '../../../functions/apply-price-drop/app.js';
import { createCancelPriceDropHandler } from '../../../functions/cancel-price-drop/app.js';
import { createCreatePriceDropHandler } from '../../../functions/create-price-drop/app.js';
import { createListPriceDropsHandler } from '../../../functions/list-price-drops/app.js';
import {
  InvalidTransition,
  PriceDropNotFound,
  ValidationFailed,
} from '../../../functions/shared/domain/errors.js';
import type { HttpHandler } from '../../../functions/shared/http/http-handler.js';
import type { HandlerDeps, HttpEvent } from '../../../functions/shared/http/types.js';
import type { Logger } from '../../../functions/shared/logger.js';
import { asCaller, withBodyFields, withJsonBody } from '../../support/http-events.js';
import {
  ADMIN_SUB,
  DEAL_ID,
  DROP_ID,
  type FakeEngine,
  fakeEngine,
  firstAnswer,
  GALA_ID,
  HOST_SUB,
  invoke,
  JSON_HEADERS,
  jsonBody,
  lambdaContext,
  loadEvent,
  samplePriceDrop,
  silentLogger,
} from './support.js';

let engine: FakeEngine;
let deps: HandlerDeps;

beforeEach(() => {
  engine = fakeEngine();
  deps = { engine, logger: silentLogger() };
});

afterEach(() => {
  vi.restoreAllMocks();
});

const validationFailed = (...details: { field: string; message: string }[]) => ({
  error: { code: 'VALIDATION_FAILED', message: 'The request is not valid.', details },
});
const forbidden = { error: { code: 'FORBIDDEN', message: 'You are not allowed to do this.' } };
const adminActor = { sub: ADMIN_SUB, scopes: new Set(['livedrop/admin']) };

const expectNoEngineCall = () => {
  for (const method of Object.values(engine)) expect(method).not.toHaveBeenCalled();
};

const NON_ADMIN_SCOPES = [
  'livedrop/viewer',
  'livedrop/host',
  'livedrop/checkout',
  'livedrop/viewer livedrop/host livedrop/checkout',
];

/** The same request with the JWT carrying `scope` instead. */
const withScope = (event: HttpEvent, scope: string): HttpEvent => asCaller(event, HOST_SUB, scope);

describe('POST /galas/{galaId}/price-drops', () => {
  let handler: HttpHandler;
  beforeEach(() => {
    handler = createCreatePriceDropHandler(deps);
  });

  it('schedules the drop for the calling admin, answers 201 and points at it', async () => {
    const drop = samplePriceDrop();
    engine.schedulePriceDropKeyed.mockResolvedValue(firstAnswer(drop));

    const response = await invoke(handler, loadEvent('create-price-drop.valid'));

    expect(response.statusCode).toBe(201);
    expect(response.headers).toStrictEqual({
      ...JSON_HEADERS,
      location: `/galas/${GALA_ID}/price-drops/${DROP_ID}`,
    });
    expect(jsonBody(response)).toStrictEqual(drop);
    expect(engine.schedulePriceDropKeyed).toHaveBeenCalledExactlyOnceWith(
      GALA_ID,
      { at: '2026-11-26T19:00:00Z', timeZone: 'Europe/Berlin', percentOff: 20, stock: 100 },
      adminActor,
      undefined,
    );
  });

  it('points at the drop id the engine gave the drop', async () => {
    const dropId = '01KB6Z0000000000000000000A';
    engine.schedulePriceDropKeyed.mockResolvedValue(firstAnswer(samplePriceDrop({ dropId })));

    const response = await invoke(handler, loadEvent('create-price-drop.valid'));

    expect(response.headers?.location).toBe(`/galas/${GALA_ID}/price-drops/${dropId}`);
  });

  it('takes a fixed dealPrice for chosen deals, with an offset instant and a UTC zone', async () => {
    engine.schedulePriceDropKeyed.mockResolvedValue(
      firstAnswer(samplePriceDrop({ dealPrice: 4_900, dealIds: [DEAL_ID] })),
    );
    const event = withJsonBody(loadEvent('create-price-drop.valid'), {
      at: '2026-11-26T20:00:00+01:00',
      timeZone: 'UTC',
      dealIds: [DEAL_ID],
      dealPrice: 4_900,
    });

    const response = await invoke(handler, event);

    expect(response.statusCode).toBe(201);
    expect(engine.schedulePriceDropKeyed).toHaveBeenCalledExactlyOnceWith(
      GALA_ID,
      { at: '2026-11-26T20:00:00+01:00', timeZone: 'UTC', dealIds: [DEAL_ID], dealPrice: 4_900 },
      adminActor,
      undefined,
    );
  });

  it('refuses a body with both dealPrice and percentOff with 400', async () => {
    const event = withBodyFields(loadEvent('create-price-drop.valid'), { dealPrice: 4_900 });

    const response = await invoke(handler, event);

    expect(response.statusCode).toBe(400);
    expect(jsonBody(response)).toStrictEqual(
      validationFailed({ field: 'body.dealPrice', message: 'Give exactly one of dealPrice or percentOff.' }),
    );
    expectNoEngineCall();
  });

  it('refuses a body with neither dealPrice nor percentOff with 400', async () => {
    const event = withBodyFields(loadEvent('create-price-drop.valid'), { percentOff: undefined });

    const response = await invoke(handler, event);

    expect(response.statusCode).toBe(400);
    expect(jsonBody(response)).toStrictEqual(
      validationFailed({ field: 'body.dealPrice', message: 'Give exactly one of dealPrice or percentOff.' }),
    );
    expectNoEngineCall();
  });

  it.each(['Europe/Atlantis', 'CET+1', 'europe/berlin ', ''])(
    'refuses the time zone %j with 400',
    async (timeZone) => {
      const event = withBodyFields(loadEvent('create-price-drop.valid'), { timeZone });

      const response = await invoke(handler, event);

      expect(response.statusCode).toBe(400);
      expect(jsonBody(response)).toStrictEqual(
        validationFailed({
          field: 'body.timeZone',
          message: 'Must be an IANA time zone, e.g. Europe/Berlin.',
        }),
      );
      expectNoEngineCall();
    },
  );

  it('refuses an unknown field with 400', async () => {
    const event = withBodyFields(loadEvent('create-price-drop.valid'), { galaWide: true });

    const response = await invoke(handler, event);

    expect(response.statusCode).toBe(400);
    expect(jsonBody(response)).toStrictEqual(
      validationFailed({ field: 'body.galaWide', message: 'Unknown field.' }),
    );
    expectNoEngineCall();
  });

  it.each([
    ['an instant without an offset', { at: '2026-11-26T19:00:00' }, 'body.at'],
    ['a percentOff of 100', { percentOff: 100 }, 'body.percentOff'],
    ['a percentOff of 0', { percentOff: 0 }, 'body.percentOff'],
    ['an empty dealIds list', { dealIds: [] }, 'body.dealIds'],
    ['a deal id that is not a ULID', { dealIds: ['deal-1'] }, 'body.dealIds.0'],
    ['a stock of 0', { stock: 0 }, 'body.stock'],
  ])('refuses %s with 400', async (_name, fields, field) => {
    const event = withBodyFields(loadEvent('create-price-drop.valid'), fields);

    const response = await invoke(handler, event);

    expect(response.statusCode).toBe(400);
    expect(jsonBody(response)).toMatchObject({
      error: { code: 'VALIDATION_FAILED', details: [{ field, message: expect.any(String) }] },
    });
    expectNoEngineCall();
  });

  it('refuses a gala id with a space with 400', async () => {
    const event = loadEvent('create-price-drop.valid');
    event.pathParameters = { galaId: 'gala 2026' };

    const response = await invoke(handler, event);

    expect(response.statusCode).toBe(400);
    expect(jsonBody(response)).toStrictEqual(
      validationFailed({ field: 'path.galaId', message: 'Must be printable ASCII without spaces.' }),
    );
    expectNoEngineCall();
  });

  it('passes on the engine’s refusal of an instant in the past as 400', async () => {
    engine.schedulePriceDropKeyed.mockRejectedValue(
      new ValidationFailed([{ field: 'body.at', message: 'Must be in the future.' }]),
    );

    const response = await invoke(handler, loadEvent('create-price-drop.valid'));

    expect(response.statusCode).toBe(400);
    expect(jsonBody(response)).toStrictEqual(
      validationFailed({ field: 'body.at', message: 'Must be in the future.' }),
    );
  });

  it.each(NON_ADMIN_SCOPES)('refuses %s with 403', async (scope) => {
    const response = await invoke(handler, withScope(loadEvent('create-price-drop.valid'), scope));

    expect(response.statusCode).toBe(403);
    expect(jsonBody(response)).toStrictEqual(forbidden);
    expectNoEngineCall();
  });
});

describe('GET /galas/{galaId}/price-drops', () => {
  let handler: HttpHandler;
  beforeEach(() => {
    handler = createListPriceDropsHandler(deps);
  });

  it('answers 200 with the gala’s drops as the engine lists them', async () => {
    const applied = samplePriceDrop({
      dropId: '01KB6Z0000000000000000000B',
      status: 'APPLIED',
      firedAt: '2026-11-26T19:00:00.200Z',
      appliedAt: '2026-11-26T19:00:01.000Z',
      results: { [DEAL_ID]: { outcome: 'APPLIED', previousPrice: 6_000, dealPrice: 4_800 } },
    });
    engine.listPriceDrops.mockResolvedValue([applied, samplePriceDrop()]);

    const response = await invoke(handler, loadEvent('list-price-drops.valid'));

    expect(response.statusCode).toBe(200);
    expect(response.headers).toStrictEqual(JSON_HEADERS);
    expect(jsonBody(response)).toStrictEqual({ drops: [applied, samplePriceDrop()] });
    expect(engine.listPriceDrops).toHaveBeenCalledExactlyOnceWith(GALA_ID);
  });

  it('answers 200 with an empty list for a gala without drops', async () => {
    engine.listPriceDrops.mockResolvedValue([]);

    const response = await invoke(handler, loadEvent('list-price-drops.valid'));

    expect(response.statusCode).toBe(200);
    expect(jsonBody(response)).toStrictEqual({ drops: [] });
  });

  it.each(NON_ADMIN_SCOPES)('refuses %s with 403', async (scope) => {
    const response = await invoke(handler, withScope(loadEvent('list-price-drops.valid'), scope));

    expect(response.statusCode).toBe(403);
    expect(jsonBody(response)).toStrictEqual(forbidden);
    expectNoEngineCall();
  });
});

describe('DELETE /galas/{galaId}/price-drops/{dropId}', () => {
  let handler: HttpHandler;
  beforeEach(() => {
    handler = createCancelPriceDropHandler(deps);
  });

  it('cancels the drop and answers 200 with it', async () => {
    const cancelled = samplePriceDrop({ status: 'CANCELLED', cancelledAt: '2025-11-26T09:30:00.000Z' });
    engine.cancelPriceDrop.mockResolvedValue(cancelled);

    const response = await invoke(handler, loadEvent('cancel-price-drop.valid'));

    expect(response.statusCode).toBe(200);
    expect(response.headers).toStrictEqual(JSON_HEADERS);
    expect(jsonBody(response)).toStrictEqual(cancelled);
    expect(engine.cancelPriceDrop).toHaveBeenCalledExactlyOnceWith(GALA_ID, DROP_ID);
  });

  it('answers 404 PRICE_DROP_NOT_FOUND for a drop the gala does not have', async () => {
    engine.cancelPriceDrop.mockRejectedValue(new PriceDropNotFound(GALA_ID, DROP_ID));

    const response = await invoke(handler, loadEvent('cancel-price-drop.valid'));

    expect(response.statusCode).toBe(404);
    expect(jsonBody(response)).toStrictEqual({
      error: { code: 'PRICE_DROP_NOT_FOUND', message: `Gala ${GALA_ID} has no price drop ${DROP_ID}.` },
    });
  });

  it('answers 409 INVALID_TRANSITION for a drop that already applied', async () => {
    engine.cancelPriceDrop.mockRejectedValue(
      new InvalidTransition('Cannot cancel a price drop that is APPLIED.', { status: 'APPLIED' }),
    );

    const response = await invoke(handler, loadEvent('cancel-price-drop.valid'));

    expect(response.statusCode).toBe(409);
    expect(jsonBody(response)).toStrictEqual({
      error: {
        code: 'INVALID_TRANSITION',
        message: 'Cannot cancel a price drop that is APPLIED.',
        details: { status: 'APPLIED' },
      },
    });
  });

  it('refuses a drop id that is not a ULID with 400', async () => {
    const response = await invoke(handler, loadEvent('cancel-price-drop.invalid'));

    expect(response.statusCode).toBe(400);
    expect(jsonBody(response)).toStrictEqual(
      validationFailed({ field: 'path.dropId', message: 'Must be a ULID.' }),
    );
    expectNoEngineCall();
  });

  it.each(NON_ADMIN_SCOPES)('refuses %s with 403', async (scope) => {
    const response = await invoke(handler, withScope(loadEvent('cancel-price-drop.valid'), scope));

    expect(response.statusCode).toBe(403);
    expect(jsonBody(response)).toStrictEqual(forbidden);
    expectNoEngineCall();
  });
});

describe('apply-price-drop (the target of a drop’s one-time schedule)', () => {
  let logger: Logger;
  let handler: ReturnType<typeof createApplyPriceDropHandler>;

  beforeEach(() => {
    logger = silentLogger();
    handler = createApplyPriceDropHandler({ engine, logger });
  });

  it('applies the drop the schedule input names and returns it', async () => {
    const applied = samplePriceDrop({
      status: 'APPLIED',
      firedAt: '2026-11-26T19:00:00.200Z',
      appliedAt: '2026-11-26T19:00:01.000Z',
      results: { [DEAL_ID]: { outcome: 'APPLIED', previousPrice: 6_000, dealPrice: 4_800 } },
    });
    engine.applyPriceDrop.mockResolvedValue(applied);

    const result = await handler(loadEvent<unknown>('apply-price-drop'), lambdaContext());

    expect(result).toStrictEqual(applied);
    expect(engine.applyPriceDrop).toHaveBeenCalledExactlyOnceWith(GALA_ID, DROP_ID);
  });

  it('logs the drop’s outcome', async () => {
    const info = vi.spyOn(logger, 'info');
    const applied = samplePriceDrop({
      status: 'APPLIED',
      firedAt: '2026-11-26T19:00:00.200Z',
      results: { [DEAL_ID]: { outcome: 'SKIPPED_ENDED' } },
    });
    engine.applyPriceDrop.mockResolvedValue(applied);

    await handler(loadEvent<unknown>('apply-price-drop'), lambdaContext());

    expect(info).toHaveBeenCalledExactlyOnceWith('price drop', {
      dropId: DROP_ID,
      status: 'APPLIED',
      firedAt: '2026-11-26T19:00:00.200Z',
      results: { [DEAL_ID]: { outcome: 'SKIPPED_ENDED' } },
    });
  });

  it.each([
    ['no dropId', { galaId: GALA_ID }],
    ['a dropId that is not a ULID', { galaId: GALA_ID, dropId: 'drop-1' }],
    ['no galaId', { dropId: DROP_ID }],
    ['a galaId with a space', { galaId: 'gala 2026', dropId: DROP_ID }],
    ['a Scheduler event envelope instead of the input', { detail: { galaId: GALA_ID, dropId: DROP_ID } }],
    ['null', null],
    ['a string', JSON.stringify({ galaId: GALA_ID, dropId: DROP_ID })],
  ])(
    'throws on %s, so the retries and then the DLQ keep it, and leaves the engine alone',
    async (_name, input) => {
      const error = vi.spyOn(logger, 'error');

      await expect(handler(input, lambdaContext())).rejects.toThrow('invalid price drop schedule input');

      expectNoEngineCall();
      expect(error).toHaveBeenCalledExactlyOnceWith('price drop schedule input is not valid', {
        problems: expect.any(Array),
      });
    },
  );

  it('lets an engine failure propagate, so the schedule retries', async () => {
    const failure = new Error('table not found');
    engine.applyPriceDrop.mockRejectedValue(failure);

    await expect(handler(loadEvent<unknown>('apply-price-drop'), lambdaContext())).rejects.toBe(failure);
  });

  it('throws for a drop the gala does not have (it cannot apply anywhere)', async () => {
    const missing = new PriceDropNotFound(GALA_ID, DROP_ID);
    engine.applyPriceDrop.mockRejectedValue(missing);

    await expect(handler(loadEvent<unknown>('apply-price-drop'), lambdaContext())).rejects.toBe(missing);
  });
});
