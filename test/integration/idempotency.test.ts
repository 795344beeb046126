/**
 * Idempotency-Key on the POST routes that create or change something (deals, gala price drops, cues), through
 * the real handlers on the embedded store: a repeat gets the first answer, another request with the key is
 * refused, a request still running answers 409, keys are per caller, and a crash between the use case's
 * writes and the record's completion is finished by the retry without creating anything twice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCreateDealHandler } from '../../functions/create-deal/app.js';
import { createCreatePriceDropHandler } from '../../functions/create-price-drop/app.js';
import { createCueDealHandler } from '../../functions/cue-deal/app.js';
import type { CreateDealInput, DealView } from '../../functions/shared/domain/schemas.js';
import type { HttpEvent, HttpResponse } from '../../functions/shared/http/types.js';
import type { Engine } from '../../functions/shared/use-cases/engine.js';
import { InjectedCrash } from '../support/crash.js';
import { adminActor, dealInput, hostActor } from '../support/fixtures.js';
import { type Harness, startHarness } from '../support/harness.js';
import { asCaller, withHeader, withJsonBody } from '../support/http-events.js';
import { RecordingScheduler } from '../support/scheduler.js';
import { ADMIN_SUB, HOST_SUB, invoke, jsonBody, loadEvent, silentLogger } from '../unit/http/support.js';

const LEASE_MS = 5_000;
const OPTIONS = { requestLeaseMs: LEASE_MS };

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

let unique = 0;
const fresh = (prefix: string) => `${prefix}-${++unique}`;

/** One container serving the three keyed routes. */
const container = (extra: { scheduler?: RecordingScheduler } = {}) => {
  const scheduler = extra.scheduler ?? new RecordingScheduler();
  const engine = h.engine({ options: OPTIONS, scheduler });
  const deps = { engine, logger: silentLogger() };
  return {
    engine,
    scheduler,
    createDeal: (event: HttpEvent) => invoke(createCreateDealHandler(deps), event),
    createDrop: (event: HttpEvent) => invoke(createCreatePriceDropHandler(deps), event),
    cue: (event: HttpEvent) => invoke(createCueDealHandler(deps), event),
  };
};

/** Dies right after the named step: nothing it does afterwards reaches the store or the scheduler. */
const crashingAt = (target: string, scheduler?: RecordingScheduler) =>
  h.engine({
    options: OPTIONS,
    scheduler: scheduler ?? new RecordingScheduler(),
    seam: (step) => {
      if (step === target) throw new InjectedCrash(step);
    },
  });

const keyed = (event: HttpEvent, key: string | undefined) => withHeader(event, 'Idempotency-Key', key);

const dealRequest = (body: unknown, key?: string, sub = HOST_SUB) =>
  keyed(asCaller(withJsonBody(loadEvent('create-deal.valid'), body), sub), key);

const dropRequest = (galaId: string, body: unknown, key?: string) => {
  const event = withJsonBody(loadEvent('create-price-drop.valid'), body);
  event.pathParameters = { galaId };
  return keyed(event, key);
};

const cueRequest = (dealId: string, body: unknown, key?: string) => {
  const event = withJsonBody(loadEvent('cue-deal.valid'), body);
  event.pathParameters = { dealId };
  return keyed(event, key);
};

const errorOf = (response: HttpResponse) => (jsonBody(response) as { error: { code: string } }).error.code;

const dealsOfStream = async (engine: Engine, streamId: string) =>
  (await engine.streamDeals(streamId)).map((deal) => deal.dealId);

/** A SCHEDULED deal of the host the sample cue events are sent by. */
const hostedDeal = (engine: Engine, overrides: Partial<CreateDealInput> = {}) =>
  engine.createDeal(dealInput({ streamId: fresh('stream'), ...overrides }), HOST_SUB);

/** The callers of the sample events. */
const asHost = { ...hostActor, sub: HOST_SUB };
const asAdmin = { ...adminActor, sub: ADMIN_SUB };

describe('POST /deals with an Idempotency-Key', () => {
  it('answers a repeat with the first answer, Idempotent-Replayed and the key echoed, and creates one deal', async () => {
    const api = container();
    const streamId = fresh('stream');
    const body = dealInput({ streamId });
    // The same body with its keys in another order is the same request.
    const reordered = Object.fromEntries(Object.entries(body).reverse());

    const first = await api.createDeal(dealRequest(body, 'deal-key-1'));
    const repeat = await api.createDeal(dealRequest(reordered, 'deal-key-1'));

    expect(first.statusCode).toBe(201);
    expect(first.headers).toMatchObject({ 'idempotency-key': 'deal-key-1' });
    expect(first.headers).not.toHaveProperty('idempotent-replayed');
    expect(repeat.statusCode).toBe(201);
    expect(repeat.body).toBe(first.body);
    expect(repeat.headers).toMatchObject({
      'idempotency-key': 'deal-key-1',
      'idempotent-replayed': 'true',
      location: first.headers?.location,
    });
    expect(await dealsOfStream(api.engine, streamId)).toEqual([(jsonBody(first) as DealView).dealId]);
  });

  it('refuses the same key with another body with 422 IDEMPOTENCY_KEY_REUSED and changes nothing', async () => {
    const api = container();
    const streamId = fresh('stream');
    const first = await api.createDeal(dealRequest(dealInput({ streamId }), 'deal-key-2'));

    const other = await api.createDeal(dealRequest(dealInput({ streamId, stock: 99 }), 'deal-key-2'));

    expect(other.statusCode).toBe(422);
    expect(errorOf(other)).toBe('IDEMPOTENCY_KEY_REUSED');
    const deals = await api.engine.streamDeals(streamId);
    expect(deals.map((deal) => deal.dealId)).toEqual([(jsonBody(first) as DealView).dealId]);
    expect((await api.engine.getDeal((jsonBody(first) as DealView).dealId)).stock).toBe(10);
  });

  it('keeps keys per caller: another host with the same key and body gets a deal of its own', async () => {
    const api = container();
    const streamId = fresh('stream');
    const body = dealInput({ streamId });

    const mine = await api.createDeal(dealRequest(body, 'shared-key'));
    const theirs = await api.createDeal(dealRequest(body, 'shared-key', 'another-host'));

    expect(theirs.statusCode).toBe(201);
    expect(theirs.headers).not.toHaveProperty('idempotent-replayed');
    expect((jsonBody(theirs) as DealView).hostId).toBe('another-host');
    expect((await dealsOfStream(api.engine, streamId)).sort()).toEqual(
      [(jsonBody(mine) as DealView).dealId, (jsonBody(theirs) as DealView).dealId].sort(),
    );
  });

  it('creates exactly one deal for requests racing with one key on several containers', async () => {
    const containers = [container(), container(), container(), container()];
    const streamId = fresh('stream');
    const body = dealInput({ streamId });

    const answers = await Promise.all(containers.map((api) => api.createDeal(dealRequest(body, 'race-key'))));

    const [dealId] = await dealsOfStream(containers[0]?.engine as Engine, streamId);
    expect(await dealsOfStream(containers[0]?.engine as Engine, streamId)).toHaveLength(1);
    const created = answers.filter((answer) => answer.statusCode === 201);
    expect(created.filter((answer) => answer.headers?.['idempotent-replayed'] === undefined)).toHaveLength(1);
    for (const answer of created) expect((jsonBody(answer) as DealView).dealId).toBe(dealId);
    for (const answer of answers.filter((candidate) => candidate.statusCode !== 201)) {
      expect(answer.statusCode).toBe(409);
      expect(errorOf(answer)).toBe('REQUEST_IN_PROGRESS');
      expect(answer.headers?.['retry-after']).toBe('1');
    }
  });

  it.each(['request.recorded', 'create.shard', 'create.audit', 'create.deal'])(
    'finishes a request that died after %s: 409 while its lease lasts, then one deal, answered as created',
    async (step) => {
      const api = container();
      const streamId = fresh('stream');
      const body = dealInput({ streamId, stock: 250 });
      const key = `crash-${step}`;
      await expect(crashingAt(step).createDealKeyed(body, HOST_SUB, key)).rejects.toThrow(InjectedCrash);

      const early = await api.createDeal(dealRequest(body, key));
      h.clock.advance(LEASE_MS);
      const retried = await api.createDeal(dealRequest(body, key));
      const again = await api.createDeal(dealRequest(body, key));

      expect(early.statusCode).toBe(409);
      expect(errorOf(early)).toBe('REQUEST_IN_PROGRESS');
      expect(retried.statusCode).toBe(201);
      expect(retried.headers).not.toHaveProperty('idempotent-replayed');
      const deal = jsonBody(retried) as DealView;
      expect(deal).toMatchObject({ status: 'SCHEDULED', stock: 250, available: 250, hostId: HOST_SUB });
      expect(await dealsOfStream(api.engine, streamId)).toEqual([deal.dealId]);
      expect(await api.engine.getDeal(deal.dealId)).toMatchObject({ stock: 250, available: 250 });
      const trail = await api.engine.auditTrail(deal.dealId, adminActor, {});
      expect(trail.records.filter((record) => record.action === 'deal.created')).toHaveLength(1);
      expect(again.body).toBe(retried.body);
      expect(again.headers?.['idempotent-replayed']).toBe('true');
    },
  );

  it('forgets a record after its lifetime: the key then makes a new deal', async () => {
    const api = container();
    const streamId = fresh('stream');
    const body = dealInput({ streamId });
    const first = await api.createDeal(dealRequest(body, 'day-old-key'));

    h.clock.advance(24 * 60 * 60 * 1000 + 1_000);
    const later = await api.createDeal(dealRequest(body, 'day-old-key'));

    expect(later.statusCode).toBe(201);
    expect(later.headers).not.toHaveProperty('idempotent-replayed');
    expect((jsonBody(later) as DealView).dealId).not.toBe((jsonBody(first) as DealView).dealId);
  });

  it('answers as before without a key: every request is a new deal, and no key is echoed', async () => {
    const api = container();
    const streamId = fresh('stream');

    const first = await api.createDeal(dealRequest(dealInput({ streamId })));
    const second = await api.createDeal(dealRequest(dealInput({ streamId })));

    expect([first.statusCode, second.statusCode]).toEqual([201, 201]);
    expect(first.headers).not.toHaveProperty('idempotency-key');
    expect(await dealsOfStream(api.engine, streamId)).toHaveLength(2);
  });

  it('refuses a malformed key with 400 before anything is written', async () => {
    const api = container();
    const streamId = fresh('stream');

    const answer = await api.createDeal(dealRequest(dealInput({ streamId }), 'has a space'));

    expect(answer.statusCode).toBe(400);
    expect(jsonBody(answer)).toMatchObject({ error: { details: [{ field: 'headers.idempotency-key' }] } });
    expect(await dealsOfStream(api.engine, streamId)).toEqual([]);
  });
});

describe('POST /galas/{galaId}/price-drops with an Idempotency-Key', () => {
  const inAnHour = () => new Date(h.clock.now() + 3_600_000).toISOString();

  it('retried, schedules one drop: a percentage drop does not compound', async () => {
    const api = container();
    const galaId = fresh('gala');
    const deal = await api.engine.createDeal(
      dealInput({ galaId, listPrice: 10_000, dealPrice: 8_000 }),
      HOST_SUB,
    );
    const body = { at: inAnHour(), timeZone: 'UTC', percentOff: 25 };

    const first = await api.createDrop(dropRequest(galaId, body, 'drop-key-1'));
    const repeat = await api.createDrop(dropRequest(galaId, body, 'drop-key-1'));
    h.clock.advance(3_600_000);
    for (const schedule of api.scheduler.created) {
      await api.engine.applyPriceDrop(schedule.input.galaId as string, schedule.input.dropId as string);
    }

    expect(first.statusCode).toBe(201);
    expect(repeat.statusCode).toBe(201);
    expect(repeat.body).toBe(first.body);
    expect(repeat.headers).toMatchObject({
      'idempotent-replayed': 'true',
      location: first.headers?.location,
    });
    expect(await api.engine.listPriceDrops(galaId)).toHaveLength(1);
    expect((await api.engine.getDeal(deal.dealId)).dealPrice).toBe(6_000);
  });

  it('refuses the same key for another gala with 422 and schedules nothing more', async () => {
    const api = container();
    const body = { at: inAnHour(), timeZone: 'UTC', percentOff: 10 };
    await api.createDrop(dropRequest(fresh('gala'), body, 'drop-key-2'));
    const otherGala = fresh('gala');

    const other = await api.createDrop(dropRequest(otherGala, body, 'drop-key-2'));

    expect(other.statusCode).toBe(422);
    expect(errorOf(other)).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await api.engine.listPriceDrops(otherGala)).toEqual([]);
    expect(api.scheduler.created).toHaveLength(1);
  });

  it('creates one drop for requests racing with one key', async () => {
    const scheduler = new RecordingScheduler();
    const containers = [container({ scheduler }), container({ scheduler }), container({ scheduler })];
    const galaId = fresh('gala');
    const body = { at: inAnHour(), timeZone: 'UTC', percentOff: 10 };

    const answers = await Promise.all(
      containers.map((api) => api.createDrop(dropRequest(galaId, body, 'race'))),
    );

    expect(await containers[0]?.engine.listPriceDrops(galaId)).toHaveLength(1);
    expect(scheduler.created).toHaveLength(1);
    for (const answer of answers) expect([201, 409]).toContain(answer.statusCode);
  });

  it('finishes a drop whose first attempt died after recording it: one drop, scheduled once', async () => {
    const scheduler = new RecordingScheduler();
    const api = container({ scheduler });
    const galaId = fresh('gala');
    const body = { at: inAnHour(), timeZone: 'UTC', percentOff: 10 };
    await expect(
      crashingAt('drop.recorded', scheduler).schedulePriceDropKeyed(galaId, body, asAdmin, 'drop-crash'),
    ).rejects.toThrow(InjectedCrash);

    h.clock.advance(LEASE_MS);
    const retried = await api.createDrop(dropRequest(galaId, body, 'drop-crash'));

    expect(retried.statusCode).toBe(201);
    const drops = await api.engine.listPriceDrops(galaId);
    expect(drops).toHaveLength(1);
    expect(jsonBody(retried)).toMatchObject({ dropId: drops[0]?.dropId, status: 'SCHEDULED' });
    expect(scheduler.created.map((schedule) => schedule.name)).toEqual([`drop-${drops[0]?.dropId}`]);
  });

  it('does not keep an undone drop: after a scheduler failure the same key schedules afresh', async () => {
    const api = container();
    const galaId = fresh('gala');
    const body = { at: inAnHour(), timeZone: 'UTC', percentOff: 10 };
    api.scheduler.failNext = true;

    const failed = await api.createDrop(dropRequest(galaId, body, 'drop-undone'));
    const retried = await api.createDrop(dropRequest(galaId, body, 'drop-undone'));

    expect(failed.statusCode).toBe(503);
    expect(retried.statusCode).toBe(201);
    expect(retried.headers).not.toHaveProperty('idempotent-replayed');
    expect((await api.engine.listPriceDrops(galaId)).map((drop) => drop.status).sort()).toEqual([
      'CANCELLED',
      'SCHEDULED',
    ]);
  });
});

describe('POST /deals/{dealId}/cues with an Idempotency-Key', () => {
  it('replays the first answer of a cue', async () => {
    const api = container();
    const deal = await hostedDeal(api.engine);

    const first = await api.cue(cueRequest(deal.dealId, { action: 'start' }, 'cue-key-1'));
    const repeat = await api.cue(cueRequest(deal.dealId, { action: 'start' }, 'cue-key-1'));

    expect(first.statusCode).toBe(200);
    expect(repeat.statusCode).toBe(200);
    expect(repeat.body).toBe(first.body);
    expect(repeat.headers).toMatchObject({ 'idempotency-key': 'cue-key-1', 'idempotent-replayed': 'true' });
  });

  it('finishes a restock without a cueId that died half-way, adding its units once', async () => {
    const api = container();
    const deal = await hostedDeal(api.engine, { stock: 300 });
    await api.engine.cue(deal.dealId, { action: 'start' }, asHost);
    const restock = { action: 'restock', quantity: 30 } as const;
    await expect(
      crashingAt('restock.deal').cueKeyed(deal.dealId, restock, asHost, 'restock-key'),
    ).rejects.toThrow(InjectedCrash);

    h.clock.advance(LEASE_MS);
    const retried = await api.cue(cueRequest(deal.dealId, restock, 'restock-key'));

    expect(retried.statusCode).toBe(200);
    // The retry was the same cue: it finished the restock the crash left pending, so the sweep adds nothing.
    expect((await h.store.getDeal(deal.dealId))?.pendingRestocks).toEqual({});
    await api.engine.sweep();
    const figures = await api.engine.getDeal(deal.dealId);
    expect(figures).toMatchObject({ stock: 330, available: 330 });
    const shards = await h.store.getShards(deal.dealId, 3);
    expect(shards.reduce((sum, shard) => sum + shard.available, 0)).toBe(330);
    const trail = await api.engine.auditTrail(deal.dealId, adminActor, {});
    expect(trail.records.filter((record) => record.action === 'deal.cued')).toHaveLength(2);
  });

  it('does not store a refusal: the same key runs afresh once the deal allows the cue', async () => {
    const api = container();
    const deal = await hostedDeal(api.engine);

    const refused = await api.cue(cueRequest(deal.dealId, { action: 'resume' }, 'cue-key-2'));
    await api.engine.cue(deal.dealId, { action: 'start' }, asHost);
    await api.engine.cue(deal.dealId, { action: 'pause' }, asHost);
    const retried = await api.cue(cueRequest(deal.dealId, { action: 'resume' }, 'cue-key-2'));

    expect(refused.statusCode).toBe(409);
    expect(errorOf(refused)).toBe('INVALID_TRANSITION');
    expect(retried.statusCode).toBe(200);
    expect(retried.headers).not.toHaveProperty('idempotent-replayed');
    expect(jsonBody(retried)).toMatchObject({ status: 'LIVE' });
  });

  it('refuses the same key on another deal with 422', async () => {
    const api = container();
    const [one, two] = [await hostedDeal(api.engine), await hostedDeal(api.engine)];
    await api.cue(cueRequest(one.dealId, { action: 'start' }, 'cue-key-3'));

    const other = await api.cue(cueRequest(two.dealId, { action: 'start' }, 'cue-key-3'));

    expect(other.statusCode).toBe(422);
    expect((await api.engine.getDeal(two.dealId)).status).toBe('SCHEDULED');
  });
});
