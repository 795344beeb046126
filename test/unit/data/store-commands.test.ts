/**
 * The few command shapes that are the store's contract, on a mocked client (shown as document commands with plain values). What the store DOES
 * is tested on the embedded store (test/integration/store); this file pins only what those tests cannot
 * see: that each hot write carries its named guard (CONDITIONS), the return values of takeUnit (including
 * the refused shard, which dynalite never hands back), which reads are strongly consistent, how errors map
 * to answers, BatchGet's retries, and that no transaction or batch write is ever sent.
 */
import {
  ConditionalCheckFailedException,
  ProvisionedThroughputExceededException,
} from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CONDITIONS } from '../../../functions/shared/data/store.js';
import { MOCKED_TABLE, type MockedStore, mockedStore } from '../../support/mocked-store.js';
import {
  auditItem,
  couponItem,
  dealItem,
  EARLIER,
  idempotencyItem,
  keys,
  LATER,
  NOW,
  priceDropItem,
  REQUEST_REF,
  requestRecordItem,
  shardItem,
  slotItem,
  ticketItem,
  voidCouponItem,
} from '../../support/store-items.js';

const { ddb, store } = mockedStore();

beforeEach(() => {
  ddb.reset();
});
afterAll(() => {
  ddb.restore();
});

const DEAL_ID = 'deal-1';
const CODE = 'CODE-1';
const VIEWER = 'viewer-1';
const GALA_ID = 'gala-1';
const DROP_ID = 'drop-1';
const CHANNEL_ARN = 'arn:aws:ivs:eu-central-1:123456789012:channel/abcdEFGH1234';
const RATE_KEY = keys.rateWindow('CLAIM#VIEWER', VIEWER, 1_700_000_000_000);
const AUDIT = auditItem({ dealId: DEAL_ID, bucket: 3, at: NOW, couponId: 'coupon-1' });
const REDEEMED = couponItem({ code: CODE, viewerId: VIEWER, status: 'REDEEMED', orderId: 'order-1' });

/** What DynamoDB throws when a condition fails; with ReturnValuesOnConditionCheckFailure it carries the item. */
const conditionFailed = (item?: object) =>
  new ConditionalCheckFailedException({
    message: 'The conditional request failed',
    $metadata: {},
    ...(item === undefined ? {} : { Item: marshall(item) }),
  });

const throttled = () =>
  new ProvisionedThroughputExceededException({
    message: 'The level of configured provisioned throughput for the table was exceeded.',
    $metadata: {},
  });

type Command = abstract new (...args: never[]) => { input: unknown };

const inputsOf = <T = Record<string, unknown>>(command: Command): T[] =>
  ddb
    .calls()
    .map((call) => call.args[0])
    .filter((sent) => sent instanceof command)
    .map((sent) => (sent as unknown as { input: T }).input);

/** The input of the single command the store sent; fails when it sent none, several, or another kind. */
const onlySent = (command: Command): Record<string, unknown> => {
  const calls = ddb.calls();
  expect(calls).toHaveLength(1);
  const sent = calls[0]?.args[0];
  expect(sent).toBeInstanceOf(command);
  return (sent as unknown as { input: Record<string, unknown> }).input;
};

// ---------------------------------------------------------------- every hot write carries its guard

const GUARDS: [string, (s: MockedStore) => Promise<unknown>, string[]][] = [
  ['takeUnit', (s) => s.takeUnit(DEAL_ID, 3, NOW), [CONDITIONS.unitAvailable]],
  ['recordReturn', (s) => s.recordReturn(DEAL_ID, 3, 42, 1), [CONDITIONS.exists, CONDITIONS.notYetReturned]],
  ['absorbReturns', (s) => s.absorbReturns(DEAL_ID, 3, 4, 5), [CONDITIONS.exists, CONDITIONS.absorbedFrom]],
  [
    'recordRedeemStep',
    (s) => s.recordRedeemStep(DEAL_ID, 3, 42, 1),
    [CONDITIONS.exists, CONDITIONS.newRedeemStep],
  ],
  ['pruneTally', (s) => s.pruneTally(DEAL_ID, 3, { returns: [1], redemptions: [2] }), [CONDITIONS.exists]],
  ['applyRestock', (s) => s.applyRestock(DEAL_ID, 3, 'restock-1', 5), [CONDITIONS.restockNotApplied]],
  ['mirrorConfig', (s) => s.mirrorConfig(DEAL_ID, 3, dealItem()), [CONDITIONS.olderConfig]],
  [
    'redeemCoupon',
    (s) => s.redeemCoupon(CODE, VIEWER, 'order-1', NOW),
    [CONDITIONS.redeemable, CONDITIONS.tallySettled],
  ],
  [
    'releaseCoupon within the hold',
    (s) => s.releaseCoupon({ ...REDEEMED, expiresAt: LATER }, 'order-1', NOW),
    [CONDITIONS.releasable, CONDITIONS.tallySettled],
  ],
  [
    'releaseCoupon after the hold',
    (s) => s.releaseCoupon({ ...REDEEMED, expiresAt: EARLIER }, 'order-1', NOW),
    [CONDITIONS.releasable, CONDITIONS.tallySettled],
  ],
  ['expireCoupon', (s) => s.expireCoupon(CODE, NOW), [CONDITIONS.expirable, CONDITIONS.tallySettled]],
  ['settleCouponTally', (s) => s.settleCouponTally(REDEEMED), [CONDITIONS.sameTallyStep]],
  [
    'transitionDeal with a cue, while running',
    (s) =>
      s.transitionDeal(DEAL_ID, {
        from: ['LIVE'],
        to: 'PAUSED',
        nowIso: NOW,
        time: 'whileRunning',
        cue: { id: 'cue-1', at: NOW },
      }),
    [CONDITIONS.notEndedByTime, CONDITIONS.freshCue],
  ],
  [
    'transitionDeal ended by time',
    (s) => s.transitionDeal(DEAL_ID, { from: ['LIVE'], to: 'ENDED', nowIso: NOW, time: 'onlyIfEndedByTime' }),
    [CONDITIONS.endedByTime],
  ],
  [
    'transitionDeal: a start before its stream’s end',
    (s) =>
      s.transitionDeal(DEAL_ID, {
        from: ['SCHEDULED'],
        to: 'LIVE',
        nowIso: NOW,
        time: 'any',
        cue: { id: 'cue-1', at: NOW },
        streamEnd: 'beforeCue',
      }),
    [CONDITIONS.freshCue, CONDITIONS.streamEndBeforeCue],
  ],
  [
    'transitionDeal: a start overtaken by its stream’s end',
    (s) =>
      s.transitionDeal(DEAL_ID, {
        from: ['SCHEDULED'],
        to: 'ENDED',
        nowIso: NOW,
        time: 'any',
        cue: { id: 'cue-1', at: NOW },
        streamEnd: 'notBeforeCue',
      }),
    [CONDITIONS.freshCue, CONDITIONS.streamEndNotBeforeCue],
  ],
  [
    'acceptRestock',
    (s) => s.acceptRestock(DEAL_ID, 5, ['LIVE'], NOW, { id: 'restock-1', at: NOW }),
    [CONDITIONS.notEndedByTime, CONDITIONS.newCue],
  ],
  [
    'extendDeal',
    (s) =>
      s.extendDeal(DEAL_ID, { fromEndsAt: LATER, toEndsAt: LATER, nowIso: NOW, cue: { id: 'c', at: NOW } }),
    [CONDITIONS.newCue],
  ],
  [
    'applyDealPrice',
    (s) => s.applyDealPrice(DEAL_ID, { dropId: DROP_ID, from: 6_000, to: 4_800, nowIso: NOW }),
    [CONDITIONS.notEndedByTime],
  ],
  ['markStreamEnded', (s) => s.markStreamEnded(DEAL_ID, NOW), [CONDITIONS.laterStreamEnd]],
  ['countRequest', (s) => s.countRequest(RATE_KEY, 3, 1_800_000_000), [CONDITIONS.underLimit]],
  ['freeSlot', (s) => s.freeSlot(DEAL_ID, VIEWER, 1, CODE), [CONDITIONS.sameCode]],
  ['dropIdempotency', (s) => s.dropIdempotency(DEAL_ID, VIEWER, 'retry-1', CODE), [CONDITIONS.sameCode]],
  ['finishRestock', (s) => s.finishRestock(DEAL_ID, 'restock-1'), [CONDITIONS.exists]],
  ['markSweepWork', (s) => s.markSweepWork(DEAL_ID), [CONDITIONS.exists]],
  ['markSettleCandidate', (s) => s.markSettleCandidate(DEAL_ID, 1, 1), [CONDITIONS.exists]],
  [
    'recordPriceDropResult',
    (s) => s.recordPriceDropResult(GALA_ID, DROP_ID, DEAL_ID, { outcome: 'NOT_FOUND' }),
    [CONDITIONS.exists],
  ],
  ['putDeal', (s) => s.putDeal(dealItem()), [CONDITIONS.isNew]],
  ['putShard', (s) => s.putShard(shardItem()), [CONDITIONS.isNew]],
  ['putTicket', (s) => s.putTicket(ticketItem()), [CONDITIONS.isNew]],
  ['putSlot', (s) => s.putSlot(slotItem()), [CONDITIONS.isNew]],
  ['putIdempotency', (s) => s.putIdempotency(idempotencyItem()), [CONDITIONS.isNew]],
  ['putCoupon', (s) => s.putCoupon(couponItem()), [CONDITIONS.isNew]],
  ['putVoidCoupon', (s) => s.putVoidCoupon(voidCouponItem()), [CONDITIONS.isNew]],
  ['putPriceDrop', (s) => s.putPriceDrop(priceDropItem()), [CONDITIONS.isNew]],
  ['putAudit', (s) => s.putAudit(AUDIT), [CONDITIONS.isNew]],
  ['putChannelDeal', (s) => s.putChannelDeal(CHANNEL_ARN, DEAL_ID), [CONDITIONS.isNew]],
  ['putRequestRecord', (s) => s.putRequestRecord(requestRecordItem(), 1), [CONDITIONS.keyFree]],
  [
    'takeOverRequest',
    (s) => s.takeOverRequest(REQUEST_REF, { seenLease: 1, owner: 'o', leaseUntil: 2 }),
    [CONDITIONS.leaseAsRead],
  ],
  ['completeRequest', (s) => s.completeRequest(REQUEST_REF, '{}'), [CONDITIONS.inProgress]],
  ['endRequestLease', (s) => s.endRequestLease(REQUEST_REF, 'o', 1), [CONDITIONS.ownedInProgress]],
  ['forgetRequest', (s) => s.forgetRequest(REQUEST_REF, 'o'), [CONDITIONS.ownedInProgress]],
];

describe.each(GUARDS)('%s', (_name, call, guards) => {
  it('sends one write carrying its guard', async () => {
    ddb.onAnyCommand().resolves({});

    await call(store);

    expect(ddb.calls()).toHaveLength(1);
    const [write] = inputsOf<{ ConditionExpression?: string }>(PutCommand)
      .concat(inputsOf(UpdateCommand))
      .concat(inputsOf(DeleteCommand));
    const condition = write?.ConditionExpression;
    for (const guard of guards) expect(condition).toContain(guard);
  });
});

// ---------------------------------------------------------------- the hot path's return values

describe('takeUnit', () => {
  it('asks for the shard after the take, and for the shard as it was on refusal', async () => {
    ddb.on(UpdateCommand).resolves({ Attributes: shardItem() });

    await store.takeUnit(DEAL_ID, 3, NOW);

    expect(onlySent(UpdateCommand)).toMatchObject({
      ReturnValues: 'ALL_NEW',
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
  });

  it('on refusal answers the shard as it was, unmarshalled from the condition failure', async () => {
    const before = shardItem({ available: 0, issued: 10, absorbed: 3 });
    ddb.on(UpdateCommand).rejects(conditionFailed(before));

    await expect(store.takeUnit(DEAL_ID, 3, NOW)).resolves.toEqual({ refused: before });
  });

  it('on refusal without the old item (a missing shard, or a store that omits it) answers refused undefined', async () => {
    ddb.on(UpdateCommand).rejects(conditionFailed());

    const result = await store.takeUnit(DEAL_ID, 3, NOW);

    expect(result).toEqual({ refused: undefined });
    expect('refused' in result).toBe(true);
  });

  it('treats an error named ConditionalCheckFailedException from another SDK copy as a refusal', async () => {
    const foreign = Object.assign(new Error('The conditional request failed'), {
      name: 'ConditionalCheckFailedException',
    });
    ddb.on(UpdateCommand).rejects(foreign);

    await expect(store.takeUnit(DEAL_ID, 3, NOW)).resolves.toEqual({ refused: undefined });
  });

  it.each([
    ['throttling', throttled()],
    ['a generic error', new Error('socket hang up')],
  ])('lets %s propagate unchanged', async (_name, error) => {
    ddb.on(UpdateCommand).rejects(error);

    await expect(store.takeUnit(DEAL_ID, 3, NOW)).rejects.toBe(error);
  });
});

describe('putIdempotency', () => {
  it('asks for the record holding the key on refusal, and answers it unmarshalled', async () => {
    const held = idempotencyItem({ code: 'HELD' });
    ddb.on(PutCommand).rejects(conditionFailed(held));

    await expect(store.putIdempotency(idempotencyItem())).resolves.toEqual({ refused: held });
    expect(onlySent(PutCommand)).toMatchObject({ ReturnValuesOnConditionCheckFailure: 'ALL_OLD' });
  });

  it('answers recorded when the key was free', async () => {
    ddb.on(PutCommand).resolves({});

    await expect(store.putIdempotency(idempotencyItem())).resolves.toEqual({ recorded: true });
  });
});

describe('putRequestRecord', () => {
  it('asks for the record holding the key on refusal, and answers it unmarshalled', async () => {
    const held = requestRecordItem({ owner: 'another' });
    ddb.on(PutCommand).rejects(conditionFailed(held));

    await expect(store.putRequestRecord(requestRecordItem(), 1_800_000_000)).resolves.toEqual({
      refused: held,
    });
    expect(onlySent(PutCommand)).toMatchObject({
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      ExpressionAttributeValues: { ':nowEpoch': 1_800_000_000 },
    });
  });
});

describe('the tally’s guarded writes', () => {
  it.each([
    ['recordReturn', (s: MockedStore) => s.recordReturn(DEAL_ID, 3, 1, 1), undefined],
    ['recordRedeemStep', (s: MockedStore) => s.recordRedeemStep(DEAL_ID, 3, 1, 1), false],
  ])(
    '%s: a refusal the tally’s guard explains is the answer, after one read',
    async (_name, call, answer) => {
      ddb.on(UpdateCommand).rejects(conditionFailed());
      ddb.on(GetCommand).resolves({ Item: { PK: 'x', SK: 'TALLY', r: { '1': 1 }, d: { '1': 1 } } });

      await expect(call(store)).resolves.toBe(answer);
      expect(inputsOf(UpdateCommand)).toHaveLength(1);
      expect(inputsOf(PutCommand)).toHaveLength(0);
    },
  );

  it('recordReturn creates a missing tally (put-if-absent) and tries once more', async () => {
    ddb
      .on(UpdateCommand)
      .rejectsOnce(conditionFailed())
      .resolves({ Attributes: { returned: 1 } });
    ddb.on(GetCommand).resolves({});
    ddb.on(PutCommand).resolves({});

    await expect(store.recordReturn(DEAL_ID, 3, 1, 1)).resolves.toBe(1);
    expect(inputsOf<{ ConditionExpression: string }>(PutCommand)[0]?.ConditionExpression).toBe(
      CONDITIONS.isNew,
    );
    expect(inputsOf(UpdateCommand)).toHaveLength(2);
  });

  it('absorbReturns asks for the shard as it was on refusal', async () => {
    const before = shardItem({ absorbed: 7 });
    ddb.on(UpdateCommand).rejects(conditionFailed(before));

    await expect(store.absorbReturns(DEAL_ID, 3, 4, 5)).resolves.toEqual({ refused: before });
    expect(onlySent(UpdateCommand)).toMatchObject({ ReturnValuesOnConditionCheckFailure: 'ALL_OLD' });
  });
});

// ---------------------------------------------------------------- strongly consistent reads

type Consistency = (s: MockedStore) => Promise<unknown>;
const getConsistency = (): unknown => inputsOf<{ ConsistentRead?: boolean }>(GetCommand)[0]?.ConsistentRead;
const queryConsistency = (): unknown =>
  inputsOf<{ ConsistentRead?: boolean }>(QueryCommand)[0]?.ConsistentRead;
const batchConsistency = (): unknown =>
  inputsOf<{ RequestItems: Record<string, { ConsistentRead?: boolean }> }>(BatchGetCommand)[0]?.RequestItems[
    MOCKED_TABLE
  ]?.ConsistentRead;

const CONSISTENT_READS: [string, Consistency, () => unknown, boolean][] = [
  ['getDeal', (s) => s.getDeal(DEAL_ID), getConsistency, true],
  [
    'getDeal when asked for an eventually consistent read',
    (s) => s.getDeal(DEAL_ID, false),
    getConsistency,
    false,
  ],
  ['getShard', (s) => s.getShard(DEAL_ID, 3), getConsistency, true],
  ['getCoupon', (s) => s.getCoupon(CODE), getConsistency, true],
  [
    'getCoupon when asked for an eventually consistent read',
    (s) => s.getCoupon(CODE, false),
    getConsistency,
    false,
  ],
  ['getIdempotency', (s) => s.getIdempotency(DEAL_ID, VIEWER, 'retry-1'), getConsistency, true],
  ['getPriceDrop', (s) => s.getPriceDrop(GALA_ID, DROP_ID), getConsistency, true],
  ['querySlots', (s) => s.querySlots(DEAL_ID, VIEWER), queryConsistency, true],
  ['listChannelDeals', (s) => s.listChannelDeals(CHANNEL_ARN), queryConsistency, true],
  ['listPriceDrops', (s) => s.listPriceDrops(GALA_ID), queryConsistency, true],
  ['getShards', (s) => s.getShards(DEAL_ID, 2), batchConsistency, true],
  [
    'getShardsOfDeals',
    (s) => s.getShardsOfDeals([{ dealId: DEAL_ID, shardCount: 2 }]),
    batchConsistency,
    true,
  ],
  ['getDeals', (s) => s.getDeals([DEAL_ID]), batchConsistency, true],
  ['getStock', (s) => s.getStock(DEAL_ID, 2), batchConsistency, true],
  ['getTally', (s) => s.getTally(DEAL_ID, 3), getConsistency, true],
  ['getTickets', (s) => s.getTickets(DEAL_ID, 3, [1, 2]), batchConsistency, true],
  ['getCoupons', (s) => s.getCoupons([CODE]), batchConsistency, true],
  ['existingAudits', (s) => s.existingAudits([AUDIT]), batchConsistency, true],
];

describe.each(CONSISTENT_READS)('%s', (_name, read, consistency, expected) => {
  it(`reads with ConsistentRead ${expected}`, async () => {
    ddb.onAnyCommand().resolves({});

    await read(store);

    expect(consistency()).toBe(expected);
  });
});

// ---------------------------------------------------------------- error mapping

/** Every method that maps a failed condition to an answer, with that answer. */
const CONDITIONAL_METHODS: [string, (s: MockedStore) => Promise<unknown>, unknown][] = [
  ['putDeal', (s) => s.putDeal(dealItem()), false],
  ['putShard', (s) => s.putShard(shardItem()), false],
  ['putTicket', (s) => s.putTicket(ticketItem()), false],
  ['putSlot', (s) => s.putSlot(slotItem()), false],
  ['putIdempotency', (s) => s.putIdempotency(idempotencyItem()), { refused: undefined }],
  ['putCoupon', (s) => s.putCoupon(couponItem()), false],
  ['putVoidCoupon', (s) => s.putVoidCoupon(voidCouponItem()), false],
  [
    'transitionDeal',
    (s) => s.transitionDeal(DEAL_ID, { from: ['LIVE'], to: 'PAUSED', nowIso: NOW, time: 'any' }),
    undefined,
  ],
  ['acceptRestock', (s) => s.acceptRestock(DEAL_ID, 1, ['LIVE'], NOW, { id: 'r', at: NOW }), undefined],
  [
    'extendDeal',
    (s) => s.extendDeal(DEAL_ID, { fromEndsAt: NOW, toEndsAt: NOW, nowIso: NOW, cue: { id: 'c', at: NOW } }),
    undefined,
  ],
  ['markStreamEnded', (s) => s.markStreamEnded(DEAL_ID, NOW), false],
  ['settleDeal', (s) => s.settleDeal(DEAL_ID, 1), false],
  ['applyRestock', (s) => s.applyRestock(DEAL_ID, 3, 'r', 1), false],
  ['mirrorConfig', (s) => s.mirrorConfig(DEAL_ID, 3, dealItem()), false],
  [
    'saveReconcileProgress',
    (s) => s.saveReconcileProgress(DEAL_ID, 3, { fromCheckedThrough: 0, toCheckedThrough: 1 }),
    false,
  ],
  ['orphanTicket', (s) => s.orphanTicket(DEAL_ID, 3, 1, CODE), false],
  ['markTicketReturned', (s) => s.markTicketReturned(DEAL_ID, 3, 1, NOW), undefined],
  ['freeSlot', (s) => s.freeSlot(DEAL_ID, VIEWER, 1, CODE), false],
  ['dropIdempotency', (s) => s.dropIdempotency(DEAL_ID, VIEWER, 'k', CODE), undefined],
  ['redeemCoupon', (s) => s.redeemCoupon(CODE, VIEWER, 'o', NOW), undefined],
  ['releaseCoupon', (s) => s.releaseCoupon(REDEEMED, 'order-1', NOW), undefined],
  ['expireCoupon', (s) => s.expireCoupon(CODE, NOW), undefined],
  ['markCouponReturned', (s) => s.markCouponReturned(REDEEMED, NOW), undefined],
  ['settleCouponTally', (s) => s.settleCouponTally(REDEEMED), false],
  ['putChannelDeal', (s) => s.putChannelDeal(CHANNEL_ARN, DEAL_ID), undefined],
  ['putPriceDrop', (s) => s.putPriceDrop(priceDropItem()), false],
  ['putAudit', (s) => s.putAudit(AUDIT), false],
  ['countRequest', (s) => s.countRequest(RATE_KEY, 3, 1_800_000_000), false],
  ['closePriceDrop', (s) => s.closePriceDrop(GALA_ID, DROP_ID, 'CANCELLED', NOW), undefined],
  ['markPriceDropFired', (s) => s.markPriceDropFired(GALA_ID, DROP_ID, NOW), undefined],
  [
    'applyDealPrice',
    (s) => s.applyDealPrice(DEAL_ID, { dropId: DROP_ID, from: 6_000, to: 4_800, nowIso: NOW }),
    undefined,
  ],
  ['putRequestRecord', (s) => s.putRequestRecord(requestRecordItem(), 1), { refused: undefined }],
  [
    'takeOverRequest',
    (s) => s.takeOverRequest(REQUEST_REF, { seenLease: 1, owner: 'o', leaseUntil: 2 }),
    false,
  ],
  ['completeRequest', (s) => s.completeRequest(REQUEST_REF, '{}'), false],
  ['endRequestLease', (s) => s.endRequestLease(REQUEST_REF, 'o', 1), undefined],
  ['forgetRequest', (s) => s.forgetRequest(REQUEST_REF, 'o'), undefined],
];

describe.each(CONDITIONAL_METHODS)('%s error mapping', (_name, call, onConditionFailure) => {
  it(`answers ${JSON.stringify(onConditionFailure)} when its condition fails`, async () => {
    ddb.onAnyCommand().rejects(conditionFailed());

    await expect(call(store)).resolves.toEqual(onConditionFailure);
  });

  it('lets ProvisionedThroughputExceededException propagate unchanged', async () => {
    const error = throttled();
    ddb.onAnyCommand().rejects(error);

    await expect(call(store)).rejects.toBe(error);
  });

  it('lets a generic error propagate unchanged', async () => {
    const error = new Error('connect ECONNREFUSED');
    ddb.onAnyCommand().rejects(error);

    await expect(call(store)).rejects.toBe(error);
  });
});

/** Writes whose only condition is that the item exists: the engine makes them for an item it just read. */
const MUST_EXIST: [string, (s: MockedStore) => Promise<unknown>][] = [
  ['finishRestock', (s) => s.finishRestock(DEAL_ID, 'r')],
  ['markSweepWork', (s) => s.markSweepWork(DEAL_ID)],
  ['markSettleCandidate', (s) => s.markSettleCandidate(DEAL_ID, 1, 1)],
  [
    'recordPriceDropResult',
    (s) => s.recordPriceDropResult(GALA_ID, DROP_ID, DEAL_ID, { outcome: 'NOT_FOUND' }),
  ],
];

describe.each(MUST_EXIST)('%s', (_name, call) => {
  it('lets a failed condition propagate as the error it is', async () => {
    const failure = conditionFailed();
    ddb.onAnyCommand().rejects(failure);

    await expect(call(store)).rejects.toBe(failure);
  });
});

const READS: [string, (s: MockedStore) => Promise<unknown>][] = [
  ['a get', (s) => s.getDeal(DEAL_ID)],
  ['a query', (s) => s.listSweepDeals()],
  ['a batch get', (s) => s.getCoupons([CODE])],
];

describe.each(READS)('%s', (_name, read) => {
  it('lets throttling propagate unchanged', async () => {
    const error = throttled();
    ddb.onAnyCommand().rejects(error);

    await expect(read(store)).rejects.toBe(error);
  });
});

// ---------------------------------------------------------------- BatchGet retries

describe('BatchGet', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  const shardKey = (k: number) => keys.shard(DEAL_ID, k);

  it('retries exactly the unprocessed keys, still strongly consistent, until none are left', async () => {
    ddb
      .on(BatchGetCommand)
      .resolvesOnce({
        Responses: { [MOCKED_TABLE]: [shardItem({ dealId: DEAL_ID, shard: 2 })] },
        UnprocessedKeys: { [MOCKED_TABLE]: { Keys: [shardKey(0), shardKey(1)], ConsistentRead: true } },
      })
      .resolvesOnce({
        Responses: { [MOCKED_TABLE]: [shardItem({ dealId: DEAL_ID, shard: 0 })] },
        UnprocessedKeys: { [MOCKED_TABLE]: { Keys: [shardKey(1)], ConsistentRead: true } },
      })
      .resolvesOnce({ Responses: { [MOCKED_TABLE]: [shardItem({ dealId: DEAL_ID, shard: 1 })] } });

    const shards = await store.getShards(DEAL_ID, 3);

    expect(shards.map((shard) => shard.shard)).toEqual([0, 1, 2]);
    expect(inputsOf(BatchGetCommand)).toEqual([
      { RequestItems: { [MOCKED_TABLE]: { Keys: [0, 1, 2].map(shardKey), ConsistentRead: true } } },
      { RequestItems: { [MOCKED_TABLE]: { Keys: [0, 1].map(shardKey), ConsistentRead: true } } },
      { RequestItems: { [MOCKED_TABLE]: { Keys: [1].map(shardKey), ConsistentRead: true } } },
    ]);
  });

  it('gives up with an error when keys stay unprocessed after its attempts', async () => {
    vi.useFakeTimers();
    ddb.on(BatchGetCommand).resolves({
      Responses: { [MOCKED_TABLE]: [] },
      UnprocessedKeys: { [MOCKED_TABLE]: { Keys: [shardKey(0)], ConsistentRead: true } },
    });

    const read = store.getShards(DEAL_ID, 1);
    const outcome = expect(read).rejects.toThrow(/unprocessed/);
    await vi.runAllTimersAsync();
    await outcome;

    const attempts = inputsOf(BatchGetCommand).length;
    expect(attempts).toBeGreaterThan(1);
    expect(attempts).toBeLessThanOrEqual(10);
  });

  it('sends nothing for an empty key list', async () => {
    await expect(store.getCoupons([])).resolves.toEqual(new Map());
    expect(ddb.calls()).toHaveLength(0);
  });
});

// ---------------------------------------------------------------- no transactions, ever

type PublicMethod = {
  [K in keyof MockedStore]: MockedStore[K] extends (...args: never[]) => unknown ? K : never;
}[keyof MockedStore];

/** One call of every public method; the Record type makes a new method without an entry a compile error. */
const EVERY_METHOD: Record<PublicMethod, (s: MockedStore) => Promise<unknown>> = {
  putDeal: (s) => s.putDeal(dealItem()),
  getDeal: (s) => s.getDeal(DEAL_ID),
  getDeals: (s) => s.getDeals([DEAL_ID]),
  transitionDeal: (s) => s.transitionDeal(DEAL_ID, { from: ['LIVE'], to: 'ENDED', nowIso: NOW, time: 'any' }),
  acceptRestock: (s) => s.acceptRestock(DEAL_ID, 1, ['LIVE'], NOW, { id: 'r', at: NOW }),
  extendDeal: (s) =>
    s.extendDeal(DEAL_ID, { fromEndsAt: NOW, toEndsAt: NOW, nowIso: NOW, cue: { id: 'c', at: NOW } }),
  finishRestock: (s) => s.finishRestock(DEAL_ID, 'r'),
  markSweepWork: (s) => s.markSweepWork(DEAL_ID),
  markStreamEnded: (s) => s.markStreamEnded(DEAL_ID, NOW),
  settleDeal: (s) => s.settleDeal(DEAL_ID, 1),
  markSettleCandidate: (s) => s.markSettleCandidate(DEAL_ID, 1, 1),
  listSweepDeals: (s) => s.listSweepDeals(),
  listStreamDeals: (s) => s.listStreamDeals('stream-1'),
  putChannelDeal: (s) => s.putChannelDeal(CHANNEL_ARN, DEAL_ID),
  listChannelDeals: (s) => s.listChannelDeals(CHANNEL_ARN),
  putShard: (s) => s.putShard(shardItem()),
  getShard: (s) => s.getShard(DEAL_ID, 3),
  getShards: (s) => s.getShards(DEAL_ID, 2),
  getShardsOfDeals: (s) => s.getShardsOfDeals([{ dealId: DEAL_ID, shardCount: 2 }]),
  takeUnit: (s) => s.takeUnit(DEAL_ID, 3, NOW),
  absorbReturns: (s) => s.absorbReturns(DEAL_ID, 3, 0, 1),
  getTally: (s) => s.getTally(DEAL_ID, 3),
  getStock: (s) => s.getStock(DEAL_ID, 2),
  recordReturn: (s) => s.recordReturn(DEAL_ID, 3, 1, 1),
  recordRedeemStep: (s) => s.recordRedeemStep(DEAL_ID, 3, 1, 1),
  pruneTally: (s) => s.pruneTally(DEAL_ID, 3, { returns: [1], redemptions: [] }),
  applyRestock: (s) => s.applyRestock(DEAL_ID, 3, 'r', 1),
  mirrorConfig: (s) => s.mirrorConfig(DEAL_ID, 3, dealItem()),
  saveReconcileProgress: (s) =>
    s.saveReconcileProgress(DEAL_ID, 3, { fromCheckedThrough: 0, toCheckedThrough: 1 }),
  putTicket: (s) => s.putTicket(ticketItem()),
  getTickets: (s) => s.getTickets(DEAL_ID, 3, [1, 2]),
  orphanTicket: (s) => s.orphanTicket(DEAL_ID, 3, 1, CODE),
  markTicketReturned: (s) => s.markTicketReturned(DEAL_ID, 3, 1, NOW),
  putSlot: (s) => s.putSlot(slotItem()),
  querySlots: (s) => s.querySlots(DEAL_ID, VIEWER),
  freeSlot: (s) => s.freeSlot(DEAL_ID, VIEWER, 1, CODE),
  putIdempotency: (s) => s.putIdempotency(idempotencyItem()),
  getIdempotency: (s) => s.getIdempotency(DEAL_ID, VIEWER, 'k'),
  dropIdempotency: (s) => s.dropIdempotency(DEAL_ID, VIEWER, 'k', CODE),
  putCoupon: (s) => s.putCoupon(couponItem()),
  putVoidCoupon: (s) => s.putVoidCoupon(voidCouponItem()),
  getCoupon: (s) => s.getCoupon(CODE),
  getCoupons: (s) => s.getCoupons([CODE]),
  redeemCoupon: (s) => s.redeemCoupon(CODE, VIEWER, 'o', NOW),
  releaseCoupon: (s) => s.releaseCoupon(REDEEMED, 'order-1', NOW),
  expireCoupon: (s) => s.expireCoupon(CODE, NOW),
  markCouponReturned: (s) => s.markCouponReturned(REDEEMED, NOW),
  settleCouponTally: (s) => s.settleCouponTally(REDEEMED),
  queryCouponsByPhase: (s) => s.queryCouponsByPhase(DEAL_ID, 3, 'ISSUED', NOW),
  countCouponsByPhase: (s) => s.countCouponsByPhase(DEAL_ID, 3, 'ISSUED'),
  queryViewerCoupons: (s) => s.queryViewerCoupons(VIEWER, 10),
  putPriceDrop: (s) => s.putPriceDrop(priceDropItem()),
  getPriceDrop: (s) => s.getPriceDrop(GALA_ID, DROP_ID),
  listPriceDrops: (s) => s.listPriceDrops(GALA_ID),
  closePriceDrop: (s) => s.closePriceDrop(GALA_ID, DROP_ID, 'APPLIED', NOW),
  markPriceDropFired: (s) => s.markPriceDropFired(GALA_ID, DROP_ID, NOW),
  recordPriceDropResult: (s) => s.recordPriceDropResult(GALA_ID, DROP_ID, DEAL_ID, { outcome: 'NOT_FOUND' }),
  listDuePriceDrops: (s) => s.listDuePriceDrops(NOW),
  listGalaDeals: (s) => s.listGalaDeals(GALA_ID),
  countRequest: (s) => s.countRequest(RATE_KEY, 3, 1_800_000_000),
  putAudit: (s) => s.putAudit(AUDIT),
  existingAudits: (s) => s.existingAudits([AUDIT]),
  queryAudit: (s) => s.queryAudit(DEAL_ID, 'deal', 10),
  queryCouponAudit: (s) => s.queryCouponAudit('coupon-1'),
  applyDealPrice: (s) => s.applyDealPrice(DEAL_ID, { dropId: DROP_ID, from: 6_000, to: 4_800, nowIso: NOW }),
  putRequestRecord: (s) => s.putRequestRecord(requestRecordItem(), 1),
  takeOverRequest: (s) => s.takeOverRequest(REQUEST_REF, { seenLease: 1, owner: 'o', leaseUntil: 2 }),
  completeRequest: (s) => s.completeRequest(REQUEST_REF, '{}'),
  endRequestLease: (s) => s.endRequestLease(REQUEST_REF, 'o', 1),
  forgetRequest: (s) => s.forgetRequest(REQUEST_REF, 'o'),
};

describe('Query', () => {
  it('follows every page, starting each from the key the page before ended at', async () => {
    const lastOfFirst = { PK: 'SWEEP', SK: 'DEAL#a', GSI2PK: 'SWEEP', GSI2SK: 'a' };
    ddb
      .on(QueryCommand)
      .resolvesOnce({ Items: [{ dealId: 'a' }], LastEvaluatedKey: lastOfFirst })
      .resolvesOnce({ Items: [{ dealId: 'b' }] });

    const dealIds = await store.listSweepDeals();

    expect(dealIds).toEqual(['a', 'b']);
    const pages = inputsOf<{ ExclusiveStartKey?: unknown }>(QueryCommand);
    expect(pages.map((page) => page.ExclusiveStartKey)).toEqual([undefined, lastOfFirst]);
  });
});

describe('the store as a whole', () => {
  it('has an entry above for every public method', () => {
    const methods = Object.entries(store)
      .filter(([, value]) => typeof value === 'function')
      .map(([name]) => name);

    expect(Object.keys(EVERY_METHOD).sort()).toEqual(methods.sort());
  });

  it('never sends a transaction or a batch write, and never an unconditional write', async () => {
    ddb.onAnyCommand().resolves({});

    for (const call of Object.values(EVERY_METHOD)) await call(store);

    const names = new Set(ddb.calls().map((call) => call.args[0].constructor.name));
    const singleItem = [GetCommand, PutCommand, UpdateCommand, DeleteCommand, QueryCommand, BatchGetCommand];
    expect(names).toEqual(new Set(singleItem.map((command) => command.name)));
    const writes = [PutCommand, UpdateCommand, DeleteCommand].flatMap((command) =>
      inputsOf<{ ConditionExpression?: string }>(command),
    );
    expect(writes.length).toBeGreaterThan(20);
    for (const write of writes) expect(write.ConditionExpression).toMatch(/\S/);
  });
});
