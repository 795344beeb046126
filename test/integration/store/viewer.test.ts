/**
 * A viewer's items on the embedded store: holding slots and retry records (written once, removed only by
 * the claim that owns them) and rate-limit windows (counting up to their limit).
 */

import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../../functions/shared/data/client.js';
import type { IdempotencyItem, SlotItem } from '../../../functions/shared/data/viewer.js';
import { type Harness, startHarness } from '../../support/harness.js';
import { freshId, idempotencyItem, keys, slotItem } from '../../support/store-items.js';

let harness: Harness;
let store: Harness['store'];
beforeAll(async () => {
  harness = await startHarness();
  store = harness.store;
});
afterAll(async () => {
  await harness.close();
});

const storedSlot = async (overrides: Partial<SlotItem> = {}) => {
  const slot = slotItem(overrides);
  expect(await store.putSlot(slot)).toBe(true);
  return slot;
};

const storedIdempotency = async (overrides: Partial<IdempotencyItem> = {}) => {
  const record = idempotencyItem(overrides);
  expect(await store.putIdempotency(record)).toEqual({ recorded: true });
  return record;
};

/** An item as stored, for the rate windows, which the store counts but never reads back. */
const storedItem = async (key: { PK: string; SK: string }) => {
  const client = createDocumentClient({ endpoint: harness.embedded.endpoint });
  try {
    return (await client.send(new GetCommand({ TableName: harness.embedded.tableName, Key: key }))).Item;
  } finally {
    client.destroy();
  }
};

const slotsOf = (slot: SlotItem) => store.querySlots(slot.dealId, slot.viewerId);

const reread = (record: IdempotencyItem) =>
  store.getIdempotency(record.dealId, record.viewerId, record.idempotencyKey);

describe('slots', () => {
  it('putSlot writes a free slot', async () => {
    const slot = slotItem();

    expect(await store.putSlot(slot)).toBe(true);
    expect(await slotsOf(slot)).toEqual([slot]);
  });

  it('putSlot refuses a slot already held and leaves the holder untouched', async () => {
    const first = await storedSlot({ slot: 1 });

    const written = await store.putSlot({ ...first, code: 'CODE-OTHER', couponId: 'coupon-other' });

    expect(written).toBe(false);
    expect(await slotsOf(first)).toEqual([first]);
  });

  it('querySlots reads the viewer’s slots of the deal in slot order, without its retry records or others’ slots', async () => {
    const dealId = freshId('deal');
    const viewerId = freshId('viewer-');
    const two = await storedSlot({ dealId, viewerId, slot: 2 });
    const one = await storedSlot({ dealId, viewerId, slot: 1 });
    await storedIdempotency({ dealId, viewerId });
    await storedSlot({ dealId, viewerId: freshId('viewer-'), slot: 1 });
    await storedSlot({ viewerId, slot: 3 });

    expect(await store.querySlots(dealId, viewerId)).toEqual([one, two]);
  });

  it('freeSlot frees a slot that still belongs to the code', async () => {
    const slot = await storedSlot({ code: 'CODE-A' });

    const freed = await store.freeSlot(slot.dealId, slot.viewerId, slot.slot, 'CODE-A');

    expect(freed).toBe(true);
    expect(await slotsOf(slot)).toEqual([]);
  });

  it('freeSlot refuses a slot a newer claim owns, and keeps it', async () => {
    const slot = await storedSlot({ code: 'CODE-NEWER' });

    const freed = await store.freeSlot(slot.dealId, slot.viewerId, slot.slot, 'CODE-A');

    expect(freed).toBe(false);
    expect(await slotsOf(slot)).toEqual([slot]);
  });

  it('freeSlot refuses a slot nobody holds', async () => {
    expect(await store.freeSlot(freshId('deal'), 'viewer-1', 1, 'CODE-A')).toBe(false);
  });
});

describe('retry records', () => {
  it('putIdempotency writes a new record, read back by its key', async () => {
    const record = idempotencyItem();

    expect(await store.putIdempotency(record)).toEqual({ recorded: true });
    expect(await reread(record)).toEqual(record);
  });

  it('putIdempotency refuses a second record for the same key, naming the first and leaving it untouched', async () => {
    const first = await storedIdempotency({ code: 'CODE-A' });

    const written = await store.putIdempotency({ ...first, code: 'CODE-B' });

    expect(written).toEqual({ refused: first });
    expect(await reread(first)).toEqual(first);
  });

  it('getIdempotency reads nothing for a key never used', async () => {
    expect(await store.getIdempotency(freshId('deal'), 'viewer-1', 'retry-1')).toBeUndefined();
  });

  it('dropIdempotency removes the record of the failed attempt’s code', async () => {
    const record = await storedIdempotency({ code: 'CODE-A' });

    await store.dropIdempotency(record.dealId, record.viewerId, record.idempotencyKey, 'CODE-A');

    expect(await reread(record)).toBeUndefined();
  });

  it('dropIdempotency keeps a record that belongs to another attempt', async () => {
    const record = await storedIdempotency({ code: 'CODE-B' });

    await store.dropIdempotency(record.dealId, record.viewerId, record.idempotencyKey, 'CODE-A');

    expect(await reread(record)).toEqual(record);
  });

  it('dropIdempotency of a record that does not exist does nothing', async () => {
    const dealId = freshId('deal');

    await store.dropIdempotency(dealId, 'viewer-1', 'retry-1', 'CODE-A');

    expect(await store.getIdempotency(dealId, 'viewer-1', 'retry-1')).toBeUndefined();
  });
});

describe('countRequest', () => {
  const windowKey = () => keys.rateWindow('CLAIM#VIEWER', freshId('viewer-'), 1_700_000_000_000);

  it('counts requests up to the limit and refuses every one after it', async () => {
    const key = windowKey();

    const answers: boolean[] = [];
    for (let i = 0; i < 5; i++) answers.push(await store.countRequest(key, 3, 1_800_000_000));

    expect(answers).toEqual([true, true, true, false, false]);
  });

  it('stamps the window with its expiry, so the table’s time to live removes it', async () => {
    const key = windowKey();

    await store.countRequest(key, 3, 1_800_000_000);

    expect(await storedItem(key)).toMatchObject({ type: 'RATE', hits: 1, expiresAtEpoch: 1_800_000_000 });
  });

  it('counts concurrent requests exactly up to the limit', async () => {
    const key = windowKey();

    const answers = await Promise.all(
      Array.from({ length: 10 }, () => store.countRequest(key, 4, 1_800_000_000)),
    );

    expect(answers.filter(Boolean)).toHaveLength(4);
  });

  it('keeps each window apart', async () => {
    const subject = freshId('viewer-');
    const first = keys.rateWindow('CLAIM#VIEWER', subject, 1_000);
    const next = keys.rateWindow('CLAIM#VIEWER', subject, 2_000);
    await store.countRequest(first, 1, 1_800_000_000);

    expect(await store.countRequest(first, 1, 1_800_000_000)).toBe(false);
    expect(await store.countRequest(next, 1, 1_800_000_000)).toBe(true);
  });
});
