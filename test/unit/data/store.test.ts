/**
 * The Store against a mocked document client: every command it sends is asserted field by field, because
 * the condition expressions ARE the concurrency design (no transactions; one conditional write per item).
 * Keys are spelled out literally here on purpose, so a change in keys.ts shows up as a failing shape.
 */
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  ProvisionedThroughputExceededException,
} from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactGetCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { TABLE } from '../../../functions/shared/contract/table-definition.js';
import type { AuditItem } from '../../../functions/shared/data/audit.js';
import type { CouponItem, VoidCouponItem } from '../../../functions/shared/data/coupon.js';
import type { DealItem } from '../../../functions/shared/data/deal.js';
import type { PriceDropItem } from '../../../functions/shared/data/price-drop.js';
import type { ShardItem } from '../../../functions/shared/data/shard.js';
import { createStore, type DynamoStore as Store } from '../../../functions/shared/data/store.js';
import type { TicketItem } from '../../../functions/shared/data/ticket.js';
import type { IdempotencyItem, SlotItem } from '../../../functions/shared/data/viewer.js';

const TABLE_NAME = 'livedrop-test';
const DEAL_ID = '01JDQ4ZK7E5V3M2N8P9R0S1T2W';
const CODE = '7KQ2M9XH3TRDW4PZ';
const VIEWER = 'viewer-7';
const NOW = '2026-11-26T20:00:00.000Z';
const LATER = '2026-11-26T20:10:00.000Z';
const EARLIER = '2026-11-26T19:50:00.000Z';

const DEAL_KEY = { PK: `DEAL#${DEAL_ID}`, SK: 'DEAL' };
const SHARD_3_KEY = { PK: `DEAL#${DEAL_ID}#SHARD#3`, SK: 'SHARD' };
const COUPON_KEY = { PK: `COUPON#${CODE}`, SK: 'COUPON' };
const GALA_ID = 'gala-2026';
const CHANNEL_ARN = 'arn:aws:ivs:eu-central-1:123456789012:channel/abcdEFGH1234';
const DROP_ID = '01KB6Y2Q8M3N4P5R6S7T8V9W0X';
const DROP_KEY = { PK: `GALA#${GALA_ID}`, SK: `DROP#${DROP_ID}` };
const COUPON_ID = '01JDQ50000AAAAAAAAAAAAAAAA';
const RATE_KEY = { PK: `RATE#CLAIM#VIEWER#${VIEWER}`, SK: 'WINDOW#1700000000000' };
const auditRecord: AuditItem = {
  PK: `AUDIT#${DEAL_ID}#SHARD#3`,
  SK: `${NOW}#CLAIM#${COUPON_ID}`,
  type: 'AUDIT',
  dealId: DEAL_ID,
  recordId: `CLAIM#${COUPON_ID}`,
  at: NOW,
  action: 'coupon.claimed',
  actor: { kind: 'viewer', id: VIEWER },
  couponId: COUPON_ID,
  viewerId: VIEWER,
  before: null,
  after: { status: 'ISSUED' },
  GSI1PK: `AUDIT#COUPON#${COUPON_ID}`,
  GSI1SK: `${NOW}#CLAIM#${COUPON_ID}`,
};

const ddb = mockClient(DynamoDBDocumentClient);
const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));

let store: Store;

beforeEach(() => {
  ddb.reset();
  store = createStore(client, TABLE_NAME);
});

afterAll(() => {
  ddb.restore();
});

// ---------------------------------------------------------------- fixtures

const shardItem = (overrides: Partial<ShardItem> = {}): ShardItem => ({
  PK: `DEAL#${DEAL_ID}#SHARD#${overrides.shard ?? 3}`,
  SK: 'SHARD',
  type: 'SHARD',
  dealId: DEAL_ID,
  shard: overrides.shard ?? 3,
  available: 4,
  added: 10,
  issued: 6,
  returnedCount: 0,
  returns: {},
  restocks: {},
  status: 'LIVE',
  endsAt: LATER,
  dealPrice: 6_000,
  configVersion: 2,
  checkedThrough: 0,
  snapIssued: 0,
  snapAt: 0,
  ...overrides,
});

const dealItem = (overrides: Partial<DealItem> = {}): DealItem => ({
  PK: `DEAL#${DEAL_ID}`,
  SK: 'DEAL',
  type: 'DEAL',
  dealId: DEAL_ID,
  title: 'Puffer jacket, half price',
  sku: 'JKT-001',
  streamId: 'stream-1',
  hostId: 'host-1',
  currency: 'EUR',
  listPrice: 12_000,
  dealPrice: 6_000,
  perViewerLimit: 1,
  claimTtlSeconds: 600,
  shardCount: 4,
  status: 'LIVE',
  configVersion: 3,
  sweepEpoch: 0,
  pendingRestocks: {},
  priceHistory: [{ at: '2026-11-26T19:00:00.000Z', price: 6_000 }],
  appliedCues: {},
  appliedDrops: {},
  createdAt: EARLIER,
  startedAt: EARLIER,
  endsAt: LATER,
  GSI1PK: 'STREAM#stream-1',
  GSI1SK: `DEAL#${DEAL_ID}`,
  ...overrides,
});

const priceDropItem = (overrides: Partial<PriceDropItem> = {}): PriceDropItem => ({
  PK: `GALA#${GALA_ID}`,
  SK: `DROP#${overrides.dropId ?? DROP_ID}`,
  type: 'PRICE_DROP',
  dropId: DROP_ID,
  galaId: GALA_ID,
  status: 'SCHEDULED',
  at: NOW,
  timeZone: 'Europe/Berlin',
  percentOff: 20,
  createdAt: EARLIER,
  createdBy: 'admin-1',
  results: {},
  GSI2PK: 'DROPS',
  GSI2SK: `${NOW}#${DROP_ID}#${GALA_ID}`,
  ...overrides,
});

const couponItem = (overrides: Partial<CouponItem> = {}): CouponItem => ({
  PK: `COUPON#${CODE}`,
  SK: 'COUPON',
  type: 'COUPON',
  couponId: '01JDQ4ZK7F0000000000000000',
  code: CODE,
  dealId: DEAL_ID,
  viewerId: VIEWER,
  status: 'REDEEMED',
  shard: 3,
  seq: 6,
  slot: 1,
  unit: 'HELD',
  issuedAt: EARLIER,
  expiresAt: LATER,
  redeemedAt: NOW,
  orderId: 'order-1',
  dealPrice: 6_000,
  listPrice: 12_000,
  currency: 'EUR',
  GSI1PK: `VIEWER#${VIEWER}`,
  GSI1SK: 'COUPON#01JDQ4ZK7F0000000000000000',
  GSI2PK: `DEAL#${DEAL_ID}#SHARD#3`,
  GSI2SK: `REDEEMED#${NOW}#${CODE}`,
  ...overrides,
});

const ticketItem = (seq: number): TicketItem => ({
  PK: `DEAL#${DEAL_ID}#SHARD#3#TICKET#${String(seq).padStart(10, '0')}`,
  SK: 'TICKET',
  type: 'TICKET',
  dealId: DEAL_ID,
  shard: 3,
  seq,
  state: 'CLAIMED',
  code: CODE,
  viewerId: VIEWER,
  at: NOW,
});

const slotItem: SlotItem = {
  PK: `DEAL#${DEAL_ID}#VIEWER#${VIEWER}`,
  SK: 'SLOT#1',
  type: 'SLOT',
  dealId: DEAL_ID,
  viewerId: VIEWER,
  slot: 1,
  code: CODE,
  couponId: '01JDQ4ZK7F0000000000000000',
  claimedAt: NOW,
};

const idempotencyItem: IdempotencyItem = {
  PK: `DEAL#${DEAL_ID}#VIEWER#${VIEWER}`,
  SK: 'IDEM#retry-1',
  type: 'IDEMPOTENCY',
  dealId: DEAL_ID,
  viewerId: VIEWER,
  idempotencyKey: 'retry-1',
  code: CODE,
  couponId: '01JDQ4ZK7F0000000000000000',
  at: NOW,
};

const voidCouponItem: VoidCouponItem = {
  PK: `COUPON#${CODE}`,
  SK: 'COUPON',
  type: 'COUPON',
  code: CODE,
  dealId: DEAL_ID,
  viewerId: VIEWER,
  status: 'VOID',
  voidedAt: NOW,
};

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

/** The input of the single command the store sent; fails when it sent none, several, or another kind. */
const onlySent = (command: abstract new (...args: never[]) => unknown): unknown => {
  const calls = ddb.calls();
  expect(calls).toHaveLength(1);
  const sent = calls[0]?.args[0];
  expect(sent).toBeInstanceOf(command);
  return (sent as { input: unknown }).input;
};

const inputsOf = (command: abstract new (...args: never[]) => unknown): unknown[] =>
  ddb
    .calls()
    .map((call) => call.args[0])
    .filter((sent) => sent instanceof command)
    .map((sent) => (sent as { input: unknown }).input);

// ---------------------------------------------------------------- the hot path

describe('takeUnit', () => {
  it('takes one unit and the next ticket with a single conditional update of the shard', async () => {
    ddb.on(UpdateCommand).resolves({ Attributes: shardItem() });

    await store.takeUnit(DEAL_ID, 3, NOW);

    expect(onlySent(UpdateCommand)).toEqual({
      TableName: TABLE_NAME,
      Key: SHARD_3_KEY,
      UpdateExpression: 'ADD available :minusOne, issued :one',
      ConditionExpression:
        'available > :zero AND #status = :live AND (attribute_not_exists(endsAt) OR endsAt > :now)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':minusOne': -1, ':one': 1, ':zero': 0, ':live': 'LIVE', ':now': NOW },
      ReturnValues: 'ALL_NEW',
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
  });

  it('returns the shard as it is after the take, which names the ticket', async () => {
    const after = shardItem({ available: 3, issued: 7 });
    ddb.on(UpdateCommand).resolves({ Attributes: after });

    const result = await store.takeUnit(DEAL_ID, 3, NOW);

    expect(result).toEqual({ taken: after });
  });

  it('on refusal returns the shard as it was, unmarshalled from the condition failure', async () => {
    const before = shardItem({ available: 0, issued: 10, returns: { '4': 1_700_000_000_000 } });
    ddb.on(UpdateCommand).rejects(conditionFailed(before));

    const result = await store.takeUnit(DEAL_ID, 3, NOW);

    expect(result).toEqual({ refused: before });
  });

  it('on refusal without the old item (a missing shard, or a store that omits it) returns refused undefined', async () => {
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

describe('returnUnit', () => {
  it('adds the unit back and records the ticket in returns in ONE update guarded by returns.#seq', async () => {
    ddb.on(UpdateCommand).resolves({});

    await store.returnUnit(DEAL_ID, 3, 42, 1_764_187_200_000);

    expect(onlySent(UpdateCommand)).toEqual({
      TableName: TABLE_NAME,
      Key: SHARD_3_KEY,
      UpdateExpression: 'ADD available :one, returnedCount :one SET #returns.#seq = :now',
      ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(#returns.#seq)',
      ExpressionAttributeNames: { '#returns': 'returns', '#seq': '42' },
      ExpressionAttributeValues: { ':one': 1, ':now': 1_764_187_200_000 },
    });
  });

  it('returns true when the unit went back', async () => {
    ddb.on(UpdateCommand).resolves({});

    await expect(store.returnUnit(DEAL_ID, 3, 42, 1)).resolves.toBe(true);
  });

  it('returns false when this ticket was already returned', async () => {
    ddb.on(UpdateCommand).rejects(conditionFailed());

    await expect(store.returnUnit(DEAL_ID, 3, 42, 1)).resolves.toBe(false);
  });
});

describe('applyRestock', () => {
  it('adds the share to available and added, once per restock id', async () => {
    ddb.on(UpdateCommand).resolves({});

    const applied = await store.applyRestock(DEAL_ID, 3, 'restock-9', 25);

    expect(applied).toBe(true);
    expect(onlySent(UpdateCommand)).toEqual({
      TableName: TABLE_NAME,
      Key: SHARD_3_KEY,
      UpdateExpression: 'ADD available :q, added :q SET #restocks.#rid = :q',
      ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(#restocks.#rid)',
      ExpressionAttributeNames: { '#restocks': 'restocks', '#rid': 'restock-9' },
      ExpressionAttributeValues: { ':q': 25 },
    });
  });

  it('returns false when the shard already received this restock', async () => {
    ddb.on(UpdateCommand).rejects(conditionFailed());

    await expect(store.applyRestock(DEAL_ID, 3, 'restock-9', 25)).resolves.toBe(false);
  });
});

describe('mirrorConfig', () => {
  it('copies status, price and endsAt onto the shard only if the shard holds an older config version', async () => {
    ddb.on(UpdateCommand).resolves({});

    await store.mirrorConfig(DEAL_ID, 3, dealItem({ status: 'PAUSED', configVersion: 5 }));

    expect(onlySent(UpdateCommand)).toEqual({
      TableName: TABLE_NAME,
      Key: SHARD_3_KEY,
      UpdateExpression:
        'SET #status = :status, dealPrice = :price, configVersion = :version, endsAt = :endsAt',
      ConditionExpression: 'attribute_exists(PK) AND configVersion < :version',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':status': 'PAUSED', ':price': 6_000, ':version': 5, ':endsAt': LATER },
    });
  });

  it('removes endsAt from the shard when the deal has none', async () => {
    ddb.on(UpdateCommand).resolves({});

    await store.mirrorConfig(DEAL_ID, 3, dealItem({ endsAt: undefined, configVersion: 5 }));

    expect(onlySent(UpdateCommand)).toMatchObject({
      UpdateExpression: 'SET #status = :status, dealPrice = :price, configVersion = :version REMOVE endsAt',
      ExpressionAttributeValues: { ':status': 'LIVE', ':price': 6_000, ':version': 5 },
    });
  });

  it('returns false when the shard already has this version or a newer one', async () => {
    ddb.on(UpdateCommand).rejects(conditionFailed());

    await expect(store.mirrorConfig(DEAL_ID, 3, dealItem())).resolves.toBe(false);
  });
});

describe('saveReconcileProgress', () => {
  it('moves the watermark only from the value read, snapshots issued and prunes returns entries', async () => {
    ddb.on(UpdateCommand).resolves({});

    await store.saveReconcileProgress(DEAL_ID, 3, {
      fromCheckedThrough: 10,
      toCheckedThrough: 14,
      snapshot: { issued: 20, at: 1_764_187_200_000 },
      prune: [3, 17],
    });

    expect(onlySent(UpdateCommand)).toEqual({
      TableName: TABLE_NAME,
      Key: SHARD_3_KEY,
      UpdateExpression:
        'SET checkedThrough = :to, snapIssued = :snapIssued, snapAt = :snapAt REMOVE #returns.#p0, #returns.#p1',
      ConditionExpression: 'checkedThrough = :from',
      ExpressionAttributeNames: { '#returns': 'returns', '#p0': '3', '#p1': '17' },
      ExpressionAttributeValues: {
        ':from': 10,
        ':to': 14,
        ':snapIssued': 20,
        ':snapAt': 1_764_187_200_000,
      },
    });
  });

  it('sends no attribute names and no REMOVE when there is nothing to prune', async () => {
    ddb.on(UpdateCommand).resolves({});

    await store.saveReconcileProgress(DEAL_ID, 3, { fromCheckedThrough: 0, toCheckedThrough: 2, prune: [] });

    const input = onlySent(UpdateCommand) as Record<string, unknown>;
    expect(input.UpdateExpression).toBe('SET checkedThrough = :to');
    expect(input.ExpressionAttributeNames).toBeUndefined();
    expect(input.ExpressionAttributeValues).toEqual({ ':from': 0, ':to': 2 });
  });

  it('returns false when another run moved the watermark first', async () => {
    ddb.on(UpdateCommand).rejects(conditionFailed());

    const saved = await store.saveReconcileProgress(DEAL_ID, 3, {
      fromCheckedThrough: 0,
      toCheckedThrough: 2,
      prune: [],
    });

    expect(saved).toBe(false);
  });
});

// ---------------------------------------------------------------- creates

describe.each([
  ['putDeal', (s: Store) => s.putDeal(dealItem()), dealItem()],
  ['putShard', (s: Store) => s.putShard(shardItem()), shardItem()],
  ['putTicket', (s: Store) => s.putTicket(ticketItem(6)), ticketItem(6)],
  ['putSlot', (s: Store) => s.putSlot(slotItem), slotItem],
  ['putIdempotency', (s: Store) => s.putIdempotency(idempotencyItem), idempotencyItem],
  ['putCoupon', (s: Store) => s.putCoupon(couponItem()), couponItem()],
  ['putVoidCoupon', (s: Store) => s.putVoidCoupon(voidCouponItem), voidCouponItem],
  ['putPriceDrop', (s: Store) => s.putPriceDrop(priceDropItem()), priceDropItem()],
] as const)('%s', (_name, put, item) => {
  it('writes the item only if nothing exists at its key', async () => {
    ddb.on(PutCommand).resolves({});

    await put(store);

    expect(onlySent(PutCommand)).toEqual({
      TableName: TABLE_NAME,
      Item: item,
      ConditionExpression: 'attribute_not_exists(PK)',
    });
  });

  it('returns true when the item was written', async () => {
    ddb.on(PutCommand).resolves({});

    await expect(put(store)).resolves.toBe(true);
  });

  it('returns false when an item already exists at the key', async () => {
    ddb.on(PutCommand).rejects(conditionFailed());

    await expect(put(store)).resolves.toBe(false);
  });

  it('lets throttling propagate unchanged', async () => {
    const error = throttled();
    ddb.on(PutCommand).rejects(error);

    await expect(put(store)).rejects.toBe(error);
  });
});

// ---------------------------------------------------------------- slots and idempotency records

describe('freeSlot', () => {
  it('deletes the slot only while it still belongs to the given code', async () => {
    ddb.on(DeleteCommand).resolves({});

    const freed = await store.freeSlot(DEAL_ID, VIEWER, 2, CODE);

    expect(freed).toBe(true);
    expect(onlySent(DeleteCommand)).toEqual({
      TableName: TABLE_NAME,
      Key: { PK: `DEAL#${DEAL_ID}#VIEWER#${VIEWER}`, SK: 'SLOT#2' },
      ConditionExpression: 'code = :code',
      ExpressionAttributeValues: { ':code': CODE },
    });
  });

  it('returns false when a newer claim owns the slot', async () => {
    ddb.on(DeleteCommand).rejects(conditionFailed());

    await expect(store.freeSlot(DEAL_ID, VIEWER, 2, CODE)).resolves.toBe(false);
  });
});

describe('dropIdempotency', () => {
  it('deletes the retry record only while it names the failed attempt’s code', async () => {
    ddb.on(DeleteCommand).resolves({});

    await store.dropIdempotency(DEAL_ID, VIEWER, 'retry-1', CODE);

    expect(onlySent(DeleteCommand)).toEqual({
      TableName: TABLE_NAME,
      Key: { PK: `DEAL#${DEAL_ID}#VIEWER#${VIEWER}`, SK: 'IDEM#retry-1' },
      ConditionExpression: 'code = :code',
      ExpressionAttributeValues: { ':code': CODE },
    });
  });

  it('ignores a record that belongs to another attempt', async () => {
    ddb.on(DeleteCommand).rejects(conditionFailed());

    await expect(store.dropIdempotency(DEAL_ID, VIEWER, 'retry-1', CODE)).resolves.toBeUndefined();
  });
});

describe('querySlots', () => {
  it('reads the viewer’s slots of the deal with a strongly consistent query on the table', async () => {
    ddb.on(QueryCommand).resolves({ Items: [slotItem] });

    const slots = await store.querySlots(DEAL_ID, VIEWER);

    expect(slots).toEqual([slotItem]);
    expect(onlySent(QueryCommand)).toEqual({
      TableName: TABLE_NAME,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :slot)',
      ExpressionAttributeValues: { ':pk': `DEAL#${DEAL_ID}#VIEWER#${VIEWER}`, ':slot': 'SLOT#' },
      ConsistentRead: true,
    });
  });
});

// ---------------------------------------------------------------- coupons

describe('redeemCoupon', () => {
  it('redeems only an ISSUED coupon of this viewer that has not expired, moving it to the REDEEMED phase', async () => {
    ddb.on(UpdateCommand).resolves({ Attributes: couponItem() });

    await store.redeemCoupon(CODE, VIEWER, 'order-1', NOW, 'checkout-1');

    expect(onlySent(UpdateCommand)).toEqual({
      TableName: TABLE_NAME,
      Key: COUPON_KEY,
      UpdateExpression:
        'SET #status = :redeemed, redeemedAt = :now, orderId = :order, redeemedBy = :by, GSI2SK = :phase',
      ConditionExpression: '#status = :issued AND viewerId = :viewer AND expiresAt > :now',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':by': 'checkout-1',
        ':redeemed': 'REDEEMED',
        ':issued': 'ISSUED',
        ':viewer': VIEWER,
        ':order': 'order-1',
        ':now': NOW,
        ':phase': `REDEEMED#${NOW}#${CODE}`,
      },
      ReturnValues: 'ALL_NEW',
    });
  });

  it('returns the redeemed coupon', async () => {
    ddb.on(UpdateCommand).resolves({ Attributes: couponItem() });

    await expect(store.redeemCoupon(CODE, VIEWER, 'order-1', NOW)).resolves.toEqual(couponItem());
  });

  it('returns undefined when the coupon is not redeemable', async () => {
    ddb.on(UpdateCommand).rejects(conditionFailed());

    await expect(store.redeemCoupon(CODE, VIEWER, 'order-1', NOW)).resolves.toBeUndefined();
  });
});

describe('releaseCoupon', () => {
  it('puts a coupon still within its hold back to ISSUED, sorted again by its expiry', async () => {
    const released = couponItem({ status: 'ISSUED', redeemedAt: undefined, orderId: undefined });
    ddb.on(UpdateCommand).resolves({ Attributes: released });

    const result = await store.releaseCoupon(couponItem({ expiresAt: LATER }), 'order-1', NOW);

    expect(result).toEqual({ item: released, expired: false });
    expect(onlySent(UpdateCommand)).toEqual({
      TableName: TABLE_NAME,
      Key: COUPON_KEY,
      UpdateExpression:
        'SET #status = :issued, GSI2SK = :phase, releasedAt = :now, releasedOrder = :order, releasedBy = :by ' +
        'REMOVE redeemedAt, orderId, redeemedBy ADD releasedOrders :orders',
      ConditionExpression:
        '#status = :redeemed AND viewerId = :viewer AND orderId = :order AND expiresAt > :now',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':redeemed': 'REDEEMED',
        ':viewer': VIEWER,
        ':order': 'order-1',
        ':orders': new Set(['order-1']),
        ':now': NOW,
        ':by': 'unknown',
        ':issued': 'ISSUED',
        ':phase': `ISSUED#${LATER}#${CODE}`,
      },
      ReturnValues: 'ALL_NEW',
    });
  });

  it('expires a coupon whose hold ran out while redeemed and marks its unit RETURNING', async () => {
    const expired = couponItem({ status: 'EXPIRED', unit: 'RETURNING' });
    ddb.on(UpdateCommand).resolves({ Attributes: expired });

    const result = await store.releaseCoupon(couponItem({ expiresAt: EARLIER }), 'order-1', NOW);

    expect(result).toEqual({ item: expired, expired: true });
    expect(onlySent(UpdateCommand)).toEqual({
      TableName: TABLE_NAME,
      Key: COUPON_KEY,
      UpdateExpression:
        'SET #status = :expired, #unit = :returning, expiredAt = :now, GSI2SK = :phase, releasedAt = :now, releasedOrder = :order, releasedBy = :by ' +
        'REMOVE redeemedAt, orderId, redeemedBy ADD releasedOrders :orders',
      ConditionExpression:
        '#status = :redeemed AND viewerId = :viewer AND orderId = :order AND expiresAt <= :now',
      ExpressionAttributeNames: { '#status': 'status', '#unit': 'unit' },
      ExpressionAttributeValues: {
        ':redeemed': 'REDEEMED',
        ':viewer': VIEWER,
        ':order': 'order-1',
        ':orders': new Set(['order-1']),
        ':now': NOW,
        ':by': 'unknown',
        ':expired': 'EXPIRED',
        ':returning': 'RETURNING',
        ':phase': `RETURNING#${NOW}#${CODE}`,
      },
      ReturnValues: 'ALL_NEW',
    });
  });

  it('treats a hold ending exactly now as run out, like expireCoupon does', async () => {
    ddb.on(UpdateCommand).resolves({ Attributes: couponItem() });

    const result = await store.releaseCoupon(couponItem({ expiresAt: NOW }), 'order-1', NOW);

    expect(result?.expired).toBe(true);
    expect(onlySent(UpdateCommand)).toMatchObject({
      ConditionExpression: expect.stringMatching(/ AND expiresAt <= :now$/),
    });
  });

  it('returns undefined when the coupon is not redeemed for this order', async () => {
    ddb.on(UpdateCommand).rejects(conditionFailed());

    await expect(store.releaseCoupon(couponItem(), 'order-2', NOW)).resolves.toBeUndefined();
  });
});

describe('expireCoupon', () => {
  it('expires an ISSUED coupon only once its expiresAt has passed, moving its unit to RETURNING', async () => {
    ddb.on(UpdateCommand).resolves({ Attributes: couponItem({ status: 'EXPIRED' }) });

    await store.expireCoupon(CODE, NOW);

    expect(onlySent(UpdateCommand)).toEqual({
      TableName: TABLE_NAME,
      Key: COUPON_KEY,
      UpdateExpression: 'SET #status = :expired, #unit = :returning, expiredAt = :now, GSI2SK = :phase',
      ConditionExpression: '#status = :issued AND expiresAt <= :now',
      ExpressionAttributeNames: { '#status': 'status', '#unit': 'unit' },
      ExpressionAttributeValues: {
        ':expired': 'EXPIRED',
        ':returning': 'RETURNING',
        ':issued': 'ISSUED',
        ':now': NOW,
        ':phase': `RETURNING#${NOW}#${CODE}`,
      },
      ReturnValues: 'ALL_NEW',
    });
  });

  it('returns undefined when the coupon was redeemed or is still valid', async () => {
    ddb.on(UpdateCommand).rejects(conditionFailed());

    await expect(store.expireCoupon(CODE, NOW)).resolves.toBeUndefined();
  });
});

describe('markCouponReturned', () => {
  it('finishes a RETURNING unit and files the coupon under EXPIRED at its expiry time', async () => {
    ddb.on(UpdateCommand).resolves({});

    await store.markCouponReturned(couponItem({ status: 'EXPIRED', expiredAt: EARLIER }), NOW);

    expect(onlySent(UpdateCommand)).toEqual({
      TableName: TABLE_NAME,
      Key: COUPON_KEY,
      UpdateExpression: 'SET #unit = :returned, returnedAt = :now, GSI2SK = :phase',
      ConditionExpression: '#unit = :returning',
      ExpressionAttributeNames: { '#unit': 'unit' },
      ExpressionAttributeValues: {
        ':returned': 'RETURNED',
        ':returning': 'RETURNING',
        ':now': NOW,
        ':phase': `EXPIRED#${EARLIER}#${CODE}`,
      },
    });
  });
});

describe('coupon reads', () => {
  it('reads one coupon by its code with a strongly consistent get by default', async () => {
    ddb.on(GetCommand).resolves({ Item: couponItem() });

    const coupon = await store.getCoupon(CODE);

    expect(coupon).toEqual(couponItem());
    expect(onlySent(GetCommand)).toEqual({ TableName: TABLE_NAME, Key: COUPON_KEY, ConsistentRead: true });
  });

  it('returns undefined for a code nobody holds', async () => {
    ddb.on(GetCommand).resolves({});

    await expect(store.getCoupon(CODE)).resolves.toBeUndefined();
  });

  it('lists a viewer’s coupons newest first from GSI1, one page at a time', async () => {
    const startKey = { PK: 'x', SK: 'y', GSI1PK: `VIEWER#${VIEWER}`, GSI1SK: 'COUPON#1' };
    const lastKey = { PK: 'a', SK: 'b', GSI1PK: `VIEWER#${VIEWER}`, GSI1SK: 'COUPON#0' };
    ddb.on(QueryCommand).resolves({ Items: [couponItem()], LastEvaluatedKey: lastKey });

    const page = await store.queryViewerCoupons(VIEWER, 20, startKey);

    expect(page).toEqual({ items: [couponItem()], lastKey });
    expect(onlySent(QueryCommand)).toEqual({
      TableName: TABLE_NAME,
      IndexName: 'GSI1',
      KeyConditionExpression: 'GSI1PK = :pk',
      ExpressionAttributeValues: { ':pk': `VIEWER#${VIEWER}` },
      ScanIndexForward: false,
      Limit: 20,
      ExclusiveStartKey: startKey,
    });
  });
});

// ---------------------------------------------------------------- phases (GSI2)

describe('queryCouponsByPhase', () => {
  it('reads a whole phase of one deal shard with begins_with', async () => {
    ddb.on(QueryCommand).resolves({ Items: [] });

    await store.queryCouponsByPhase(DEAL_ID, 3, 'RETURNING');

    expect(onlySent(QueryCommand)).toEqual({
      TableName: TABLE_NAME,
      IndexName: 'GSI2',
      KeyConditionExpression: 'GSI2PK = :pk AND begins_with(GSI2SK, :prefix)',
      ExpressionAttributeValues: { ':pk': `DEAL#${DEAL_ID}#SHARD#3`, ':prefix': 'RETURNING#' },
    });
  });

  it('ranges a phase up to a time with BETWEEN the prefix and prefix + time + "#~"', async () => {
    ddb.on(QueryCommand).resolves({ Items: [] });

    await store.queryCouponsByPhase(DEAL_ID, 3, 'ISSUED', NOW);

    expect(onlySent(QueryCommand)).toEqual({
      TableName: TABLE_NAME,
      IndexName: 'GSI2',
      KeyConditionExpression: 'GSI2PK = :pk AND GSI2SK BETWEEN :prefix AND :until',
      ExpressionAttributeValues: {
        ':pk': `DEAL#${DEAL_ID}#SHARD#3`,
        ':prefix': 'ISSUED#',
        ':until': `ISSUED#${NOW}#~`,
      },
    });
  });

  it('the upper bound includes every code expiring exactly at the time and excludes a millisecond later', async () => {
    ddb.on(QueryCommand).resolves({ Items: [] });

    await store.queryCouponsByPhase(DEAL_ID, 3, 'ISSUED', NOW);

    const input = onlySent(QueryCommand) as { ExpressionAttributeValues: Record<string, string> };
    const until = input.ExpressionAttributeValues[':until'] ?? '';
    expect(`ISSUED#${NOW}#ZZZZZZZZZZZZZZZZ` <= until).toBe(true);
    expect(`ISSUED#${NOW}#0000000000000000` <= until).toBe(true);
    expect(`ISSUED#2026-11-26T20:00:00.001Z#0000000000000000` <= until).toBe(false);
  });

  it('follows LastEvaluatedKey until the last page and returns every item', async () => {
    const page2Key = { PK: 'p', SK: 'q', GSI2PK: `DEAL#${DEAL_ID}#SHARD#3`, GSI2SK: 'ISSUED#a' };
    const first = couponItem({ code: 'AAAAAAAAAAAAAAAA' });
    const second = couponItem({ code: 'BBBBBBBBBBBBBBBB' });
    ddb
      .on(QueryCommand)
      .resolvesOnce({ Items: [first], LastEvaluatedKey: page2Key })
      .resolvesOnce({ Items: [second] });

    const coupons = await store.queryCouponsByPhase(DEAL_ID, 3, 'ISSUED', NOW);

    expect(coupons).toEqual([first, second]);
    const inputs = inputsOf(QueryCommand) as { ExclusiveStartKey?: unknown }[];
    expect(inputs.map((input) => input.ExclusiveStartKey)).toEqual([undefined, page2Key]);
  });
});

describe('countCouponsByPhase', () => {
  it('counts with Select COUNT and sums Count across every page', async () => {
    const key1 = { PK: '1', SK: '1' };
    const key2 = { PK: '2', SK: '2' };
    ddb
      .on(QueryCommand)
      .resolvesOnce({ Count: 7, LastEvaluatedKey: key1 })
      .resolvesOnce({ Count: 5, LastEvaluatedKey: key2 })
      .resolvesOnce({ Count: 1 });

    const count = await store.countCouponsByPhase(DEAL_ID, 3, 'REDEEMED');

    expect(count).toBe(13);
    const query = {
      TableName: TABLE_NAME,
      IndexName: 'GSI2',
      KeyConditionExpression: 'GSI2PK = :pk AND begins_with(GSI2SK, :prefix)',
      ExpressionAttributeValues: { ':pk': `DEAL#${DEAL_ID}#SHARD#3`, ':prefix': 'REDEEMED#' },
      Select: 'COUNT',
    };
    expect(inputsOf(QueryCommand)).toEqual([
      query,
      { ...query, ExclusiveStartKey: key1 },
      { ...query, ExclusiveStartKey: key2 },
    ]);
  });

  it('counts a page without Count as zero', async () => {
    ddb.on(QueryCommand).resolves({});

    await expect(store.countCouponsByPhase(DEAL_ID, 3, 'ISSUED')).resolves.toBe(0);
  });
});

// ---------------------------------------------------------------- batch reads

describe('batch reads', () => {
  it('reads a deal’s shards with one strongly consistent BatchGet and returns them in shard order', async () => {
    ddb.on(BatchGetCommand).resolves({
      Responses: {
        [TABLE_NAME]: [shardItem({ shard: 2 }), shardItem({ shard: 0 }), shardItem({ shard: 1 })],
      },
    });

    const shards = await store.getShards(DEAL_ID, 3);

    expect(shards.map((shard) => shard.shard)).toEqual([0, 1, 2]);
    expect(onlySent(BatchGetCommand)).toEqual({
      RequestItems: {
        [TABLE_NAME]: {
          Keys: [0, 1, 2].map((k) => ({ PK: `DEAL#${DEAL_ID}#SHARD#${k}`, SK: 'SHARD' })),
          ConsistentRead: true,
        },
      },
    });
  });

  it('retries exactly the unprocessed keys, still strongly consistent, until none are left', async () => {
    const keyOf = (k: number) => ({ PK: `DEAL#${DEAL_ID}#SHARD#${k}`, SK: 'SHARD' });
    ddb
      .on(BatchGetCommand)
      .resolvesOnce({
        Responses: { [TABLE_NAME]: [shardItem({ shard: 2 })] },
        UnprocessedKeys: { [TABLE_NAME]: { Keys: [keyOf(0), keyOf(1)], ConsistentRead: true } },
      })
      .resolvesOnce({
        Responses: { [TABLE_NAME]: [shardItem({ shard: 0 })] },
        UnprocessedKeys: { [TABLE_NAME]: { Keys: [keyOf(1)], ConsistentRead: true } },
      })
      .resolvesOnce({ Responses: { [TABLE_NAME]: [shardItem({ shard: 1 })] } });

    const shards = await store.getShards(DEAL_ID, 3);

    expect(shards.map((shard) => shard.shard)).toEqual([0, 1, 2]);
    expect(inputsOf(BatchGetCommand)).toEqual([
      { RequestItems: { [TABLE_NAME]: { Keys: [keyOf(0), keyOf(1), keyOf(2)], ConsistentRead: true } } },
      { RequestItems: { [TABLE_NAME]: { Keys: [keyOf(0), keyOf(1)], ConsistentRead: true } } },
      { RequestItems: { [TABLE_NAME]: { Keys: [keyOf(1)], ConsistentRead: true } } },
    ]);
  });

  it('splits more than 100 keys into batches of at most 100 and maps tickets by seq', async () => {
    ddb
      .on(BatchGetCommand)
      .callsFake((input: { RequestItems: Record<string, { Keys: { PK: string }[] }> }) => {
        const keysAsked = input.RequestItems[TABLE_NAME]?.Keys ?? [];
        return {
          Responses: {
            [TABLE_NAME]: keysAsked.map((key) => ticketItem(Number(key.PK.slice(-10)))),
          },
        };
      });
    const seqs = Array.from({ length: 250 }, (_, i) => i + 1);

    const tickets = await store.getTickets(DEAL_ID, 3, seqs);

    const batches = inputsOf(BatchGetCommand) as {
      RequestItems: Record<string, { Keys: unknown[]; ConsistentRead: boolean }>;
    }[];
    expect(batches.map((batch) => batch.RequestItems[TABLE_NAME]?.Keys.length)).toEqual([100, 100, 50]);
    expect(batches.every((batch) => batch.RequestItems[TABLE_NAME]?.ConsistentRead === true)).toBe(true);
    expect([...tickets.keys()].sort((a, b) => a - b)).toEqual(seqs);
    expect(tickets.get(250)?.PK).toBe(`DEAL#${DEAL_ID}#SHARD#3#TICKET#0000000250`);
  });

  it('maps coupons by code and leaves out codes that do not exist', async () => {
    ddb.on(BatchGetCommand).resolves({ Responses: { [TABLE_NAME]: [couponItem()] } });

    const coupons = await store.getCoupons([CODE, 'ZZZZZZZZZZZZZZZZ']);

    expect([...coupons.entries()]).toEqual([[CODE, couponItem()]]);
    expect(onlySent(BatchGetCommand)).toEqual({
      RequestItems: {
        [TABLE_NAME]: {
          Keys: [COUPON_KEY, { PK: 'COUPON#ZZZZZZZZZZZZZZZZ', SK: 'COUPON' }],
          ConsistentRead: true,
        },
      },
    });
  });

  it('sends nothing for an empty key list', async () => {
    const coupons = await store.getCoupons([]);

    expect(coupons.size).toBe(0);
    expect(ddb.calls()).toHaveLength(0);
  });
});

// ---------------------------------------------------------------- deals

describe('getDeal', () => {
  it('reads strongly consistent by default and eventually consistent when asked', async () => {
    ddb.on(GetCommand).resolves({ Item: dealItem() });

    await store.getDeal(DEAL_ID);
    await store.getDeal(DEAL_ID, false);

    expect(inputsOf(GetCommand)).toEqual([
      { TableName: TABLE_NAME, Key: DEAL_KEY, ConsistentRead: true },
      { TableName: TABLE_NAME, Key: DEAL_KEY, ConsistentRead: false },
    ]);
  });

  it('lets a read error propagate unchanged', async () => {
    const error = throttled();
    ddb.on(GetCommand).rejects(error);

    await expect(store.getDeal(DEAL_ID)).rejects.toBe(error);
  });
});

describe('transitionDeal', () => {
  it('starts a deal from SCHEDULED, setting startedAt and endsAt and bumping configVersion', async () => {
    ddb.on(UpdateCommand).resolves({ Attributes: dealItem() });

    await store.transitionDeal(DEAL_ID, {
      from: ['SCHEDULED'],
      to: 'LIVE',
      nowIso: NOW,
      time: 'any',
      startedAt: NOW,
      endsAt: LATER,
    });

    expect(onlySent(UpdateCommand)).toEqual({
      TableName: TABLE_NAME,
      Key: DEAL_KEY,
      UpdateExpression: 'SET #status = :to, startedAt = :startedAt, endsAt = :endsAt ADD configVersion :one',
      ConditionExpression: '#status IN (:from0)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':to': 'LIVE',
        ':one': 1,
        ':from0': 'SCHEDULED',
        ':startedAt': NOW,
        ':endsAt': LATER,
      },
      ReturnValues: 'ALL_NEW',
    });
  });

  it('while running, refuses once the deal’s duration has run out', async () => {
    ddb.on(UpdateCommand).resolves({ Attributes: dealItem() });

    await store.transitionDeal(DEAL_ID, { from: ['LIVE'], to: 'PAUSED', nowIso: NOW, time: 'whileRunning' });

    expect(onlySent(UpdateCommand)).toEqual({
      TableName: TABLE_NAME,
      Key: DEAL_KEY,
      UpdateExpression: 'SET #status = :to ADD configVersion :one',
      ConditionExpression: '#status IN (:from0) AND (attribute_not_exists(endsAt) OR endsAt > :now)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':to': 'PAUSED', ':one': 1, ':from0': 'LIVE', ':now': NOW },
      ReturnValues: 'ALL_NEW',
    });
  });

  it('ends a deal from any listed status only once endsAt has passed, recording endedAt', async () => {
    ddb.on(UpdateCommand).resolves({ Attributes: dealItem({ status: 'ENDED' }) });

    await store.transitionDeal(DEAL_ID, {
      from: ['LIVE', 'PAUSED'],
      to: 'ENDED',
      nowIso: NOW,
      time: 'onlyIfEndedByTime',
    });

    expect(onlySent(UpdateCommand)).toEqual({
      TableName: TABLE_NAME,
      Key: DEAL_KEY,
      UpdateExpression: 'SET #status = :to, endedAt = :nowIso ADD configVersion :one',
      ConditionExpression: '#status IN (:from0, :from1) AND endsAt <= :now',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':to': 'ENDED',
        ':one': 1,
        ':from0': 'LIVE',
        ':from1': 'PAUSED',
        ':nowIso': NOW,
        ':now': NOW,
      },
      ReturnValues: 'ALL_NEW',
    });
  });

  it('returns the deal as updated', async () => {
    ddb.on(UpdateCommand).resolves({ Attributes: dealItem({ status: 'PAUSED', configVersion: 4 }) });

    const updated = await store.transitionDeal(DEAL_ID, {
      from: ['LIVE'],
      to: 'PAUSED',
      nowIso: NOW,
      time: 'any',
    });

    expect(updated).toEqual(dealItem({ status: 'PAUSED', configVersion: 4 }));
  });

  it('returns undefined when the deal is in none of the from-statuses', async () => {
    ddb.on(UpdateCommand).rejects(conditionFailed());

    const updated = await store.transitionDeal(DEAL_ID, {
      from: ['SCHEDULED'],
      to: 'LIVE',
      nowIso: NOW,
      time: 'any',
    });

    expect(updated).toBeUndefined();
  });
});

describe('a start cue and its stream’s recorded end', () => {
  const CUE = { id: 'cue-start', at: NOW };

  it('starts the deal only while no Stream End is recorded at or after the cue’s instant', async () => {
    ddb.on(UpdateCommand).resolves({ Attributes: dealItem({ status: 'LIVE' }) });

    await store.transitionDeal(DEAL_ID, {
      from: ['SCHEDULED'],
      to: 'LIVE',
      nowIso: NOW,
      time: 'any',
      startedAt: NOW,
      cue: CUE,
      streamEnd: 'beforeCue',
    });

    expect(onlySent(UpdateCommand)).toEqual({
      TableName: TABLE_NAME,
      Key: DEAL_KEY,
      UpdateExpression:
        'SET #status = :to, startedAt = :startedAt, #cues.#cueId = :cueAt, lastCueAt = :cueAt ADD configVersion :one',
      ConditionExpression:
        '#status IN (:from0) AND attribute_not_exists(#cues.#cueId) AND (attribute_not_exists(lastCueAt) OR lastCueAt <= :cueAt) AND (attribute_not_exists(streamEndedAt) OR streamEndedAt < :cueAt)',
      ExpressionAttributeNames: { '#status': 'status', '#cues': 'appliedCues', '#cueId': 'cue-start' },
      ExpressionAttributeValues: {
        ':to': 'LIVE',
        ':one': 1,
        ':from0': 'SCHEDULED',
        ':startedAt': NOW,
        ':cueAt': NOW,
      },
      ReturnValues: 'ALL_NEW',
    });
  });

  it('ends the deal by its stream when the recorded Stream End is at or after the start cue’s instant', async () => {
    ddb.on(UpdateCommand).resolves({ Attributes: dealItem({ status: 'ENDED' }) });

    await store.transitionDeal(DEAL_ID, {
      from: ['SCHEDULED'],
      to: 'ENDED',
      nowIso: NOW,
      time: 'any',
      startedAt: NOW,
      cue: CUE,
      endedBy: 'stream',
      streamEnd: 'notBeforeCue',
    });

    expect(onlySent(UpdateCommand)).toEqual({
      TableName: TABLE_NAME,
      Key: DEAL_KEY,
      UpdateExpression:
        'SET #status = :to, startedAt = :startedAt, endedAt = :nowIso, endedBy = :endedBy, #cues.#cueId = :cueAt, lastCueAt = :cueAt ADD configVersion :one',
      ConditionExpression:
        '#status IN (:from0) AND attribute_not_exists(#cues.#cueId) AND (attribute_not_exists(lastCueAt) OR lastCueAt <= :cueAt) AND streamEndedAt >= :cueAt',
      ExpressionAttributeNames: { '#status': 'status', '#cues': 'appliedCues', '#cueId': 'cue-start' },
      ExpressionAttributeValues: {
        ':to': 'ENDED',
        ':one': 1,
        ':from0': 'SCHEDULED',
        ':startedAt': NOW,
        ':nowIso': NOW,
        ':endedBy': 'stream',
        ':cueAt': NOW,
      },
      ReturnValues: 'ALL_NEW',
    });
  });

  it('records a Stream End on a SCHEDULED deal, only moving the instant forward', async () => {
    ddb.on(UpdateCommand).resolves({});

    const marked = await store.markStreamEnded(DEAL_ID, NOW);

    expect(marked).toBe(true);
    expect(onlySent(UpdateCommand)).toEqual({
      TableName: TABLE_NAME,
      Key: DEAL_KEY,
      UpdateExpression: 'SET streamEndedAt = :streamEndedAt',
      ConditionExpression:
        '#status = :scheduled AND (attribute_not_exists(streamEndedAt) OR streamEndedAt < :streamEndedAt)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':scheduled': 'SCHEDULED', ':streamEndedAt': NOW },
    });
  });

  it('answers false when the deal is no longer SCHEDULED or holds this end or a later one', async () => {
    ddb.on(UpdateCommand).rejects(conditionFailed());

    expect(await store.markStreamEnded(DEAL_ID, NOW)).toBe(false);
  });
});

describe('restocks on the deal', () => {
  it('accepts a restock cue as pending only while restockable and running, once per cue in any order', async () => {
    ddb.on(UpdateCommand).resolves({ Attributes: dealItem() });

    await store.acceptRestock(DEAL_ID, 40, ['LIVE', 'PAUSED'], NOW, { id: 'restock-9', at: NOW });

    expect(onlySent(UpdateCommand)).toEqual({
      TableName: TABLE_NAME,
      Key: DEAL_KEY,
      UpdateExpression: 'SET #pending.#rid = :q, #cues.#cueId = :cueAt',
      ConditionExpression:
        '#status IN (:from0, :from1) AND (attribute_not_exists(endsAt) OR endsAt > :now) AND ' +
        'attribute_not_exists(#cues.#cueId)',
      ExpressionAttributeNames: {
        '#status': 'status',
        '#pending': 'pendingRestocks',
        '#rid': 'restock-9',
        '#cues': 'appliedCues',
        '#cueId': 'restock-9',
      },
      ExpressionAttributeValues: {
        ':q': 40,
        ':now': NOW,
        ':from0': 'LIVE',
        ':from1': 'PAUSED',
        ':cueAt': NOW,
      },
      ReturnValues: 'ALL_NEW',
    });
  });

  it('extends a running deal from the endsAt it read, once per cue', async () => {
    ddb.on(UpdateCommand).resolves({ Attributes: dealItem() });

    await store.extendDeal(DEAL_ID, {
      fromEndsAt: '2026-11-26T20:10:00.000Z',
      toEndsAt: '2026-11-26T20:15:00.000Z',
      nowIso: NOW,
      cue: { id: 'cue-7', at: NOW },
    });

    expect(onlySent(UpdateCommand)).toEqual({
      TableName: TABLE_NAME,
      Key: DEAL_KEY,
      UpdateExpression: 'SET endsAt = :to, #cues.#cueId = :cueAt ADD configVersion :one',
      ConditionExpression:
        '#status IN (:live, :paused) AND endsAt = :from AND endsAt > :now AND attribute_not_exists(#cues.#cueId)',
      ExpressionAttributeNames: { '#status': 'status', '#cues': 'appliedCues', '#cueId': 'cue-7' },
      ExpressionAttributeValues: {
        ':live': 'LIVE',
        ':paused': 'PAUSED',
        ':from': '2026-11-26T20:10:00.000Z',
        ':to': '2026-11-26T20:15:00.000Z',
        ':now': NOW,
        ':one': 1,
        ':cueAt': NOW,
      },
      ReturnValues: 'ALL_NEW',
    });
  });

  it('returns undefined when the deal cannot take a restock', async () => {
    ddb.on(UpdateCommand).rejects(conditionFailed());

    await expect(
      store.acceptRestock(DEAL_ID, 40, ['LIVE'], NOW, { id: 'restock-9', at: NOW }),
    ).resolves.toBeUndefined();
  });

  it('forgets a finished restock', async () => {
    ddb.on(UpdateCommand).resolves({});

    await store.finishRestock(DEAL_ID, 'restock-9');

    expect(onlySent(UpdateCommand)).toEqual({
      TableName: TABLE_NAME,
      Key: DEAL_KEY,
      UpdateExpression: 'REMOVE #pending.#rid',
      ConditionExpression: 'attribute_exists(PK)',
      ExpressionAttributeNames: { '#pending': 'pendingRestocks', '#rid': 'restock-9' },
    });
  });
});

describe('sweep work list', () => {
  it('puts a deal on the sparse SWEEP list and bumps its epoch in one update', async () => {
    ddb.on(UpdateCommand).resolves({});

    await store.markSweepWork(DEAL_ID);

    expect(onlySent(UpdateCommand)).toEqual({
      TableName: TABLE_NAME,
      Key: DEAL_KEY,
      UpdateExpression: 'SET GSI2PK = :pk, GSI2SK = :sk ADD sweepEpoch :one',
      ConditionExpression: 'attribute_exists(PK)',
      ExpressionAttributeValues: { ':pk': 'SWEEP', ':sk': `DEAL#${DEAL_ID}`, ':one': 1 },
    });
  });

  it('settles a deal only if no new work bumped the epoch since it was read', async () => {
    ddb.on(UpdateCommand).resolves({});

    const settled = await store.settleDeal(DEAL_ID, 4);

    expect(settled).toBe(true);
    expect(onlySent(UpdateCommand)).toEqual({
      TableName: TABLE_NAME,
      Key: DEAL_KEY,
      UpdateExpression: 'REMOVE GSI2PK, GSI2SK',
      ConditionExpression: 'sweepEpoch = :epoch',
      ExpressionAttributeValues: { ':epoch': 4 },
    });
  });

  it('does not settle when the epoch moved', async () => {
    ddb.on(UpdateCommand).rejects(conditionFailed());

    await expect(store.settleDeal(DEAL_ID, 4)).resolves.toBe(false);
  });

  it('records a settle candidate with its epoch and time', async () => {
    ddb.on(UpdateCommand).resolves({});

    await store.markSettleCandidate(DEAL_ID, 4, 1_764_187_200_000);

    expect(onlySent(UpdateCommand)).toEqual({
      TableName: TABLE_NAME,
      Key: DEAL_KEY,
      UpdateExpression: 'SET settleCandidate = :candidate',
      ConditionExpression: 'attribute_exists(PK)',
      ExpressionAttributeValues: { ':candidate': { epoch: 4, at: 1_764_187_200_000 } },
    });
  });

  it('lists the deal ids on the SWEEP partition of GSI2 across pages', async () => {
    const next = { PK: `DEAL#${DEAL_ID}`, SK: 'DEAL', GSI2PK: 'SWEEP', GSI2SK: `DEAL#${DEAL_ID}` };
    ddb
      .on(QueryCommand)
      .resolvesOnce({ Items: [{ dealId: 'deal-a' }, { dealId: 'deal-b' }], LastEvaluatedKey: next })
      .resolvesOnce({ Items: [{ dealId: 'deal-c' }] });

    const dealIds = await store.listSweepDeals();

    expect(dealIds).toEqual(['deal-a', 'deal-b', 'deal-c']);
    const query = {
      TableName: TABLE_NAME,
      IndexName: 'GSI2',
      KeyConditionExpression: 'GSI2PK = :pk',
      ExpressionAttributeValues: { ':pk': 'SWEEP' },
      ProjectionExpression: 'dealId',
    };
    expect(inputsOf(QueryCommand)).toEqual([query, { ...query, ExclusiveStartKey: next }]);
  });
});

describe('IVS channel links', () => {
  it('links a deal to the channel it named with a put that never overwrites', async () => {
    ddb.on(PutCommand).resolves({});

    await store.putChannelDeal(CHANNEL_ARN, DEAL_ID);

    expect(onlySent(PutCommand)).toEqual({
      TableName: TABLE_NAME,
      Item: { PK: `IVS#${CHANNEL_ARN}`, SK: `DEAL#${DEAL_ID}`, type: 'CHANNEL_DEAL', dealId: DEAL_ID },
      ConditionExpression: 'attribute_not_exists(PK)',
    });
  });

  it('treats an existing link as done (a retried create writes it again)', async () => {
    ddb.on(PutCommand).rejects(conditionFailed());

    await expect(store.putChannelDeal(CHANNEL_ARN, DEAL_ID)).resolves.toBeUndefined();
  });

  it('lists the channel’s deal ids with a strongly consistent query of its partition, across pages', async () => {
    const next = { PK: `IVS#${CHANNEL_ARN}`, SK: 'DEAL#deal-b' };
    ddb
      .on(QueryCommand)
      .resolvesOnce({ Items: [{ dealId: 'deal-a' }, { dealId: 'deal-b' }], LastEvaluatedKey: next })
      .resolvesOnce({ Items: [{ dealId: 'deal-c' }] });

    const dealIds = await store.listChannelDeals(CHANNEL_ARN);

    expect(dealIds).toEqual(['deal-a', 'deal-b', 'deal-c']);
    const query = {
      TableName: TABLE_NAME,
      KeyConditionExpression: 'PK = :pk',
      ExpressionAttributeValues: { ':pk': `IVS#${CHANNEL_ARN}` },
      ProjectionExpression: 'dealId',
      ConsistentRead: true,
    };
    expect(inputsOf(QueryCommand)).toEqual([query, { ...query, ExclusiveStartKey: next }]);
  });
});

// ---------------------------------------------------------------- tickets

describe('tickets', () => {
  it('orphans a ticket only while it is CLAIMED under the given code', async () => {
    ddb.on(UpdateCommand).resolves({});

    const orphaned = await store.orphanTicket(DEAL_ID, 3, 6, CODE);

    expect(orphaned).toBe(true);
    expect(onlySent(UpdateCommand)).toEqual({
      TableName: TABLE_NAME,
      Key: { PK: `DEAL#${DEAL_ID}#SHARD#3#TICKET#0000000006`, SK: 'TICKET' },
      UpdateExpression: 'SET #state = :orphaned',
      ConditionExpression: '#state = :claimed AND code = :code',
      ExpressionAttributeNames: { '#state': 'state' },
      ExpressionAttributeValues: { ':orphaned': 'ORPHANED', ':claimed': 'CLAIMED', ':code': CODE },
    });
  });

  it('does not orphan a ticket that moved on', async () => {
    ddb.on(UpdateCommand).rejects(conditionFailed());

    await expect(store.orphanTicket(DEAL_ID, 3, 6, CODE)).resolves.toBe(false);
  });

  it('marks an ORPHANED ticket RETURNED', async () => {
    ddb.on(UpdateCommand).resolves({});

    await store.markTicketReturned(DEAL_ID, 3, 6, NOW);

    expect(onlySent(UpdateCommand)).toEqual({
      TableName: TABLE_NAME,
      Key: { PK: `DEAL#${DEAL_ID}#SHARD#3#TICKET#0000000006`, SK: 'TICKET' },
      UpdateExpression: 'SET #state = :returned, returnedAt = :now',
      ConditionExpression: '#state = :orphaned',
      ExpressionAttributeNames: { '#state': 'state' },
      ExpressionAttributeValues: { ':returned': 'RETURNED', ':orphaned': 'ORPHANED', ':now': NOW },
    });
  });
});

// ---------------------------------------------------------------- gala price drops

describe('price drop reads', () => {
  it('reads one drop from its gala’s partition with a strongly consistent get', async () => {
    ddb.on(GetCommand).resolves({ Item: priceDropItem() });

    const drop = await store.getPriceDrop(GALA_ID, DROP_ID);

    expect(drop).toEqual(priceDropItem());
    expect(onlySent(GetCommand)).toEqual({ TableName: TABLE_NAME, Key: DROP_KEY, ConsistentRead: true });
  });

  it('returns undefined for a drop the gala does not have', async () => {
    ddb.on(GetCommand).resolves({});

    await expect(store.getPriceDrop(GALA_ID, DROP_ID)).resolves.toBeUndefined();
  });

  it('lists a gala’s drops newest first, across pages, with a strongly consistent query of its partition', async () => {
    const older = priceDropItem({ dropId: '01KB6Y0000000000000000000A' });
    const middle = priceDropItem({ dropId: '01KB6Y0000000000000000000B' });
    const newest = priceDropItem({ dropId: '01KB6Y0000000000000000000C' });
    const next = { PK: `GALA#${GALA_ID}`, SK: 'DROP#01KB6Y0000000000000000000B' };
    ddb
      .on(QueryCommand)
      .resolvesOnce({ Items: [older, middle], LastEvaluatedKey: next })
      .resolvesOnce({ Items: [newest] });

    const drops = await store.listPriceDrops(GALA_ID);

    expect(drops.map((drop) => drop.dropId)).toEqual([
      '01KB6Y0000000000000000000C',
      '01KB6Y0000000000000000000B',
      '01KB6Y0000000000000000000A',
    ]);
    const query = {
      TableName: TABLE_NAME,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :drop)',
      ExpressionAttributeValues: { ':pk': `GALA#${GALA_ID}`, ':drop': 'DROP#' },
      ConsistentRead: true,
    };
    expect(inputsOf(QueryCommand)).toEqual([query, { ...query, ExclusiveStartKey: next }]);
  });

  it('lists no drops for a gala without any', async () => {
    ddb.on(QueryCommand).resolves({});

    await expect(store.listPriceDrops(GALA_ID)).resolves.toEqual([]);
  });

  it('lists the gala’s deal ids from GSI3 across pages', async () => {
    const next = { PK: 'DEAL#b', SK: 'DEAL', GSI3PK: `GALA#${GALA_ID}`, GSI3SK: 'DEAL#b' };
    ddb
      .on(QueryCommand)
      .resolvesOnce({ Items: [{ dealId: 'deal-a' }, { dealId: 'deal-b' }], LastEvaluatedKey: next })
      .resolvesOnce({ Items: [{ dealId: 'deal-c' }] });

    const dealIds = await store.listGalaDeals(GALA_ID);

    expect(dealIds).toEqual(['deal-a', 'deal-b', 'deal-c']);
    const query = {
      TableName: TABLE_NAME,
      IndexName: 'GSI3',
      KeyConditionExpression: 'GSI3PK = :pk',
      ExpressionAttributeValues: { ':pk': `GALA#${GALA_ID}` },
      ProjectionExpression: 'dealId',
    };
    expect(inputsOf(QueryCommand)).toEqual([query, { ...query, ExclusiveStartKey: next }]);
  });
});

describe('listDuePriceDrops', () => {
  it('lists the SCHEDULED drops due by a time from the DROPS partition of GSI2, across pages', async () => {
    const next = { PK: 'GALA#g', SK: 'DROP#a', GSI2PK: 'DROPS', GSI2SK: `${EARLIER}#a#g` };
    ddb
      .on(QueryCommand)
      .resolvesOnce({ Items: [{ galaId: 'g', dropId: 'a' }], LastEvaluatedKey: next })
      .resolvesOnce({ Items: [{ galaId: GALA_ID, dropId: DROP_ID }] });

    const due = await store.listDuePriceDrops(NOW);

    expect(due).toEqual([
      { galaId: 'g', dropId: 'a' },
      { galaId: GALA_ID, dropId: DROP_ID },
    ]);
    const query = {
      TableName: TABLE_NAME,
      IndexName: 'GSI2',
      KeyConditionExpression: 'GSI2PK = :pk AND GSI2SK <= :until',
      ExpressionAttributeValues: { ':pk': 'DROPS', ':until': `${NOW}#~` },
      ProjectionExpression: 'galaId, dropId',
    };
    expect(inputsOf(QueryCommand)).toEqual([query, { ...query, ExclusiveStartKey: next }]);
  });

  it('the bound includes every drop due exactly at the time and excludes one a millisecond later', async () => {
    ddb.on(QueryCommand).resolves({ Items: [] });

    await store.listDuePriceDrops(NOW);

    const input = onlySent(QueryCommand) as { ExpressionAttributeValues: Record<string, string> };
    const until = input.ExpressionAttributeValues[':until'] ?? '';
    expect(`${NOW}#${DROP_ID}#${GALA_ID}` <= until).toBe(true);
    expect(`${NOW}#ZZZZZZZZZZZZZZZZZZZZZZZZZZ#~~~~` <= until).toBe(true);
    expect(`${EARLIER}#${DROP_ID}#${GALA_ID}` <= until).toBe(true);
    expect(`2026-11-26T20:00:00.001Z#${DROP_ID}#${GALA_ID}` <= until).toBe(false);
  });
});

describe('closePriceDrop', () => {
  it('cancels a drop only while it is SCHEDULED, taking it off the due list', async () => {
    ddb.on(UpdateCommand).resolves({ Attributes: priceDropItem({ status: 'CANCELLED' }) });

    await store.closePriceDrop(GALA_ID, DROP_ID, 'CANCELLED', NOW);

    expect(onlySent(UpdateCommand)).toEqual({
      TableName: TABLE_NAME,
      Key: DROP_KEY,
      UpdateExpression: 'SET #status = :to, cancelledAt = :now REMOVE GSI2PK, GSI2SK',
      ConditionExpression: '#status = :scheduled',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':to': 'CANCELLED', ':now': NOW, ':scheduled': 'SCHEDULED' },
      ReturnValues: 'ALL_NEW',
    });
  });

  it('marks a drop APPLIED only while it is SCHEDULED, recording appliedAt', async () => {
    ddb.on(UpdateCommand).resolves({ Attributes: priceDropItem({ status: 'APPLIED' }) });

    await store.closePriceDrop(GALA_ID, DROP_ID, 'APPLIED', NOW);

    expect(onlySent(UpdateCommand)).toEqual({
      TableName: TABLE_NAME,
      Key: DROP_KEY,
      UpdateExpression: 'SET #status = :to, appliedAt = :now REMOVE GSI2PK, GSI2SK',
      ConditionExpression: '#status = :scheduled',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':to': 'APPLIED', ':now': NOW, ':scheduled': 'SCHEDULED' },
      ReturnValues: 'ALL_NEW',
    });
  });

  it('returns the drop as closed', async () => {
    const cancelled = priceDropItem({ status: 'CANCELLED', cancelledAt: NOW });
    ddb.on(UpdateCommand).resolves({ Attributes: cancelled });

    await expect(store.closePriceDrop(GALA_ID, DROP_ID, 'CANCELLED', NOW)).resolves.toEqual(cancelled);
  });

  it('returns undefined when the drop is no longer SCHEDULED (or does not exist)', async () => {
    ddb.on(UpdateCommand).rejects(conditionFailed());

    await expect(store.closePriceDrop(GALA_ID, DROP_ID, 'APPLIED', NOW)).resolves.toBeUndefined();
  });
});

describe('markPriceDropFired', () => {
  it('records the first firing of a SCHEDULED drop and keeps it on later ones', async () => {
    ddb.on(UpdateCommand).resolves({ Attributes: priceDropItem({ firedAt: NOW }) });

    await store.markPriceDropFired(GALA_ID, DROP_ID, NOW);

    expect(onlySent(UpdateCommand)).toEqual({
      TableName: TABLE_NAME,
      Key: DROP_KEY,
      UpdateExpression: 'SET firedAt = if_not_exists(firedAt, :now)',
      ConditionExpression: '#status = :scheduled',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':now': NOW, ':scheduled': 'SCHEDULED' },
      ReturnValues: 'ALL_NEW',
    });
  });

  it('returns the drop as it now is', async () => {
    const fired = priceDropItem({ firedAt: EARLIER });
    ddb.on(UpdateCommand).resolves({ Attributes: fired });

    await expect(store.markPriceDropFired(GALA_ID, DROP_ID, NOW)).resolves.toEqual(fired);
  });

  it('returns undefined when the drop was cancelled or already applied', async () => {
    ddb.on(UpdateCommand).rejects(conditionFailed());

    await expect(store.markPriceDropFired(GALA_ID, DROP_ID, NOW)).resolves.toBeUndefined();
  });
});

describe('recordPriceDropResult', () => {
  it('sets the deal’s outcome in the drop’s results map, on an existing drop', async () => {
    ddb.on(UpdateCommand).resolves({});
    const result = { outcome: 'APPLIED' as const, previousPrice: 6_000, dealPrice: 4_800 };

    await store.recordPriceDropResult(GALA_ID, DROP_ID, DEAL_ID, result);

    expect(onlySent(UpdateCommand)).toEqual({
      TableName: TABLE_NAME,
      Key: DROP_KEY,
      UpdateExpression: 'SET #results.#deal = :result',
      ConditionExpression: 'attribute_exists(PK)',
      ExpressionAttributeNames: { '#results': 'results', '#deal': DEAL_ID },
      ExpressionAttributeValues: { ':result': result },
    });
  });

  it('throws when the drop does not exist: the engine records only for a drop it has just read', async () => {
    const failure = conditionFailed();
    ddb.on(UpdateCommand).rejects(failure);

    await expect(
      store.recordPriceDropResult(GALA_ID, DROP_ID, DEAL_ID, { outcome: 'NOT_FOUND' }),
    ).rejects.toBe(failure);
  });
});

describe('applyDealPrice', () => {
  const change = { dropId: DROP_ID, from: 6_000, to: 4_800, nowIso: NOW };

  it('sets the new price once per drop, from the price read, while the deal still sells, in one update', async () => {
    ddb.on(UpdateCommand).resolves({ Attributes: dealItem({ dealPrice: 4_800 }) });

    await store.applyDealPrice(DEAL_ID, change);

    expect(onlySent(UpdateCommand)).toEqual({
      TableName: TABLE_NAME,
      Key: DEAL_KEY,
      UpdateExpression:
        'SET dealPrice = :to, #drops.#drop = :to, priceHistory = list_append(priceHistory, :point) ' +
        'ADD configVersion :one',
      ConditionExpression:
        'attribute_not_exists(#drops.#drop) AND dealPrice = :from AND ' +
        '#status IN (:scheduled, :live, :paused) AND (attribute_not_exists(endsAt) OR endsAt > :now)',
      ExpressionAttributeNames: { '#status': 'status', '#drops': 'appliedDrops', '#drop': DROP_ID },
      ExpressionAttributeValues: {
        ':to': 4_800,
        ':from': 6_000,
        ':point': [{ at: NOW, price: 4_800, dropId: DROP_ID }],
        ':one': 1,
        ':scheduled': 'SCHEDULED',
        ':live': 'LIVE',
        ':paused': 'PAUSED',
        ':now': NOW,
      },
      ReturnValues: 'ALL_NEW',
    });
  });

  it('returns the deal as updated', async () => {
    const updated = dealItem({
      dealPrice: 4_800,
      configVersion: 4,
      appliedDrops: { [DROP_ID]: 4_800 },
      priceHistory: [
        { at: '2026-11-26T19:00:00.000Z', price: 6_000 },
        { at: NOW, price: 4_800 },
      ],
    });
    ddb.on(UpdateCommand).resolves({ Attributes: updated });

    await expect(store.applyDealPrice(DEAL_ID, change)).resolves.toEqual(updated);
  });

  it('returns undefined when the drop already applied, the price moved, or the deal ended', async () => {
    ddb.on(UpdateCommand).rejects(conditionFailed());

    await expect(store.applyDealPrice(DEAL_ID, change)).resolves.toBeUndefined();
  });
});

// ---------------------------------------------------------------- error mapping, across the store

/** Every method that maps a failed condition to a value, with that value. */
describe('rate limits and audit records', () => {
  it('counts a request in its window only while the window is under the limit', async () => {
    ddb.on(UpdateCommand).resolves({});

    await expect(store.countRequest(RATE_KEY, 30, 1_800_000_000)).resolves.toBe(true);

    const input = ddb.commandCalls(UpdateCommand)[0]?.args[0].input;
    expect(input?.Key).toEqual(RATE_KEY);
    expect(input?.UpdateExpression).toBe('SET #type = :type, expiresAtEpoch = :ttl ADD hits :one');
    expect(input?.ConditionExpression).toBe('attribute_not_exists(hits) OR hits < :limit');
    expect(input?.ExpressionAttributeValues).toMatchObject({
      ':limit': 30,
      ':ttl': 1_800_000_000,
      ':one': 1,
    });
  });

  it('writes an audit record only where none exists, so a repair never overwrites one', async () => {
    ddb.on(PutCommand).resolves({});

    await expect(store.putAudit(auditRecord)).resolves.toBe(true);

    const input = ddb.commandCalls(PutCommand)[0]?.args[0].input;
    expect(input?.Item).toEqual(auditRecord);
    expect(input?.ConditionExpression).toBe('attribute_not_exists(PK)');
  });

  it('reads one audit partition in time order after the cursor', async () => {
    ddb.on(QueryCommand).resolves({ Items: [auditRecord] });

    await expect(store.queryAudit(DEAL_ID, 3, 25, `${EARLIER}#X`)).resolves.toEqual([auditRecord]);

    const input = ddb.commandCalls(QueryCommand)[0]?.args[0].input;
    expect(input?.KeyConditionExpression).toBe('PK = :pk AND SK > :after');
    expect(input?.ExpressionAttributeValues).toEqual({
      ':pk': `AUDIT#${DEAL_ID}#SHARD#3`,
      ':after': `${EARLIER}#X`,
    });
    expect(input?.Limit).toBe(25);
  });

  it('reads one coupon’s records from GSI1', async () => {
    ddb.on(QueryCommand).resolves({ Items: [auditRecord] });

    await expect(store.queryCouponAudit(COUPON_ID)).resolves.toEqual([auditRecord]);

    const input = ddb.commandCalls(QueryCommand)[0]?.args[0].input;
    expect(input?.IndexName).toBe('GSI1');
    expect(input?.ExpressionAttributeValues).toEqual({ ':pk': `AUDIT#COUPON#${COUPON_ID}` });
  });

  it('tells which audit keys exist with one consistent BatchGet', async () => {
    ddb.on(BatchGetCommand).resolves({ Responses: { [TABLE_NAME]: [auditRecord] } });
    const missing = { ...auditRecord, SK: `${LATER}#CLAIM#OTHER` };

    const found = await store.existingAudits([auditRecord, missing]);

    expect([...found]).toEqual([`${auditRecord.PK} ${auditRecord.SK}`]);
    const input = ddb.commandCalls(BatchGetCommand)[0]?.args[0].input;
    expect(input?.RequestItems?.[TABLE_NAME]?.ConsistentRead).toBe(true);
    expect(input?.RequestItems?.[TABLE_NAME]?.Keys).toHaveLength(2);
  });
});

const CONDITIONAL_METHODS: [string, (s: Store) => Promise<unknown>, unknown][] = [
  ['putDeal', (s) => s.putDeal(dealItem()), false],
  ['putShard', (s) => s.putShard(shardItem()), false],
  ['putTicket', (s) => s.putTicket(ticketItem(1)), false],
  ['putSlot', (s) => s.putSlot(slotItem), false],
  ['putIdempotency', (s) => s.putIdempotency(idempotencyItem), false],
  ['putCoupon', (s) => s.putCoupon(couponItem()), false],
  ['putVoidCoupon', (s) => s.putVoidCoupon(voidCouponItem), false],
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
  ['settleDeal', (s) => s.settleDeal(DEAL_ID, 1), false],
  ['returnUnit', (s) => s.returnUnit(DEAL_ID, 3, 1, 1), false],
  ['applyRestock', (s) => s.applyRestock(DEAL_ID, 3, 'r', 1), false],
  ['mirrorConfig', (s) => s.mirrorConfig(DEAL_ID, 3, dealItem()), false],
  [
    'saveReconcileProgress',
    (s) => s.saveReconcileProgress(DEAL_ID, 3, { fromCheckedThrough: 0, toCheckedThrough: 1, prune: [] }),
    false,
  ],
  ['orphanTicket', (s) => s.orphanTicket(DEAL_ID, 3, 1, CODE), false],
  ['markTicketReturned', (s) => s.markTicketReturned(DEAL_ID, 3, 1, NOW), undefined],
  ['freeSlot', (s) => s.freeSlot(DEAL_ID, VIEWER, 1, CODE), false],
  ['dropIdempotency', (s) => s.dropIdempotency(DEAL_ID, VIEWER, 'k', CODE), undefined],
  ['redeemCoupon', (s) => s.redeemCoupon(CODE, VIEWER, 'o', NOW), undefined],
  ['releaseCoupon', (s) => s.releaseCoupon(couponItem(), 'order-1', NOW), undefined],
  ['expireCoupon', (s) => s.expireCoupon(CODE, NOW), undefined],
  ['markCouponReturned', (s) => s.markCouponReturned(couponItem(), NOW), undefined],
  ['putChannelDeal', (s) => s.putChannelDeal(CHANNEL_ARN, DEAL_ID), undefined],
  ['putPriceDrop', (s) => s.putPriceDrop(priceDropItem()), false],
  ['putAudit', (s) => s.putAudit(auditRecord), false],
  ['countRequest', (s) => s.countRequest(RATE_KEY, 3, 1_800_000_000), false],
  ['closePriceDrop', (s) => s.closePriceDrop(GALA_ID, DROP_ID, 'CANCELLED', NOW), undefined],
  ['markPriceDropFired', (s) => s.markPriceDropFired(GALA_ID, DROP_ID, NOW), undefined],
  [
    'applyDealPrice',
    (s) => s.applyDealPrice(DEAL_ID, { dropId: DROP_ID, from: 6_000, to: 4_800, nowIso: NOW }),
    undefined,
  ],
];

describe.each(CONDITIONAL_METHODS)('%s error mapping', (_name, call, onConditionFailure) => {
  it(`answers ${String(onConditionFailure)} when its condition fails`, async () => {
    ddb.onAnyCommand().rejects(conditionFailed());

    await expect(call(store)).resolves.toBe(onConditionFailure);
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

// ---------------------------------------------------------------- no transactions, ever

type PublicMethod = {
  [K in keyof Store]: Store[K] extends (...args: never[]) => unknown ? K : never;
}[keyof Store];

/** One call of every public method; the Record type makes a new method without an entry a compile error. */
const EVERY_METHOD: Record<PublicMethod, (s: Store) => Promise<unknown>> = {
  putDeal: (s) => s.putDeal(dealItem()),
  getDeal: (s) => s.getDeal(DEAL_ID),
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
  takeUnit: (s) => s.takeUnit(DEAL_ID, 3, NOW),
  returnUnit: (s) => s.returnUnit(DEAL_ID, 3, 1, 1),
  applyRestock: (s) => s.applyRestock(DEAL_ID, 3, 'r', 1),
  mirrorConfig: (s) => s.mirrorConfig(DEAL_ID, 3, dealItem()),
  saveReconcileProgress: (s) =>
    s.saveReconcileProgress(DEAL_ID, 3, { fromCheckedThrough: 0, toCheckedThrough: 1, prune: [1] }),
  putTicket: (s) => s.putTicket(ticketItem(1)),
  getTickets: (s) => s.getTickets(DEAL_ID, 3, [1, 2]),
  orphanTicket: (s) => s.orphanTicket(DEAL_ID, 3, 1, CODE),
  markTicketReturned: (s) => s.markTicketReturned(DEAL_ID, 3, 1, NOW),
  putSlot: (s) => s.putSlot(slotItem),
  querySlots: (s) => s.querySlots(DEAL_ID, VIEWER),
  freeSlot: (s) => s.freeSlot(DEAL_ID, VIEWER, 1, CODE),
  putIdempotency: (s) => s.putIdempotency(idempotencyItem),
  getIdempotency: (s) => s.getIdempotency(DEAL_ID, VIEWER, 'k'),
  dropIdempotency: (s) => s.dropIdempotency(DEAL_ID, VIEWER, 'k', CODE),
  putCoupon: (s) => s.putCoupon(couponItem()),
  putVoidCoupon: (s) => s.putVoidCoupon(voidCouponItem),
  getCoupon: (s) => s.getCoupon(CODE),
  getCoupons: (s) => s.getCoupons([CODE]),
  redeemCoupon: (s) => s.redeemCoupon(CODE, VIEWER, 'o', NOW),
  releaseCoupon: (s) => s.releaseCoupon(couponItem(), 'order-1', NOW),
  expireCoupon: (s) => s.expireCoupon(CODE, NOW),
  markCouponReturned: (s) => s.markCouponReturned(couponItem(), NOW),
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
  putAudit: (s) => s.putAudit(auditRecord),
  existingAudits: (s) => s.existingAudits([auditRecord]),
  queryAudit: (s) => s.queryAudit(DEAL_ID, 'deal', 10),
  queryCouponAudit: (s) => s.queryCouponAudit(COUPON_ID),
  applyDealPrice: (s) => s.applyDealPrice(DEAL_ID, { dropId: DROP_ID, from: 6_000, to: 4_800, nowIso: NOW }),
};

const PRIVATE_HELPERS = [
  'constructor',
  'conditional',
  'putIfNew',
  'updateIf',
  'deleteIf',
  'get',
  'batchGet',
  'queryAll',
  'dealIdsIn',
];
const SINGLE_ITEM_COMMANDS = [
  GetCommand,
  PutCommand,
  UpdateCommand,
  DeleteCommand,
  QueryCommand,
  BatchGetCommand,
];

describe('the store as a whole', () => {
  it('has an exercise entry for every public method on the prototype', () => {
    const methods = Object.keys(store).filter(
      (name) => name !== 'tableName' && !PRIVATE_HELPERS.includes(name),
    );

    expect(Object.keys(EVERY_METHOD).sort()).toEqual(methods.sort());
  });

  it('never sends a transaction or a batch write, from any method', async () => {
    ddb.onAnyCommand().resolves({});

    for (const call of Object.values(EVERY_METHOD)) await call(store);

    expect(ddb).not.toHaveReceivedCommand(TransactWriteCommand);
    expect(ddb).not.toHaveReceivedCommand(TransactGetCommand);
    expect(ddb).not.toHaveReceivedCommand(BatchWriteCommand);
    const names = ddb.calls().map((call) => call.args[0].constructor.name);
    expect(names.length).toBeGreaterThanOrEqual(Object.keys(EVERY_METHOD).length);
    expect(new Set(names)).toEqual(new Set(SINGLE_ITEM_COMMANDS.map((command) => command.name)));
  });

  it('makes every write a conditional write to one item of its table', async () => {
    ddb.onAnyCommand().resolves({});

    for (const call of Object.values(EVERY_METHOD)) await call(store);

    const writes = [...inputsOf(PutCommand), ...inputsOf(UpdateCommand), ...inputsOf(DeleteCommand)] as {
      TableName?: string;
      Key?: unknown;
      Item?: unknown;
      ConditionExpression?: string;
    }[];
    expect(writes.length).toBeGreaterThan(20);
    for (const write of writes) {
      expect(write.TableName).toBe(TABLE_NAME);
      expect(write.ConditionExpression).toEqual(expect.stringMatching(/\S/));
      expect((write.Key === undefined) !== (write.Item === undefined)).toBe(true);
    }
  });

  it('queries an index only on that index’s own key attributes', async () => {
    ddb.onAnyCommand().resolves({});

    for (const call of Object.values(EVERY_METHOD)) await call(store);

    const queries = inputsOf(QueryCommand) as { IndexName?: string; KeyConditionExpression: string }[];
    expect(queries.filter((query) => query.IndexName !== undefined).length).toBeGreaterThanOrEqual(4);
    for (const query of queries) {
      const index = TABLE.globalSecondaryIndexes.find((gsi) => gsi.indexName === query.IndexName);
      const allowed =
        query.IndexName === undefined
          ? [TABLE.partitionKey.name, TABLE.sortKey.name]
          : [index?.partitionKey.name, index?.sortKey.name];
      const named = query.KeyConditionExpression.match(/\b(?:GSI\d+)?(?:PK|SK)\b/g) ?? [];
      expect(named.length).toBeGreaterThan(0);
      for (const attribute of named) expect(allowed).toContain(attribute);
    }
  });
});
