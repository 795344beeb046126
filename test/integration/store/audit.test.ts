/**
 * Audit records on the embedded store: written once (a repair never overwrites one), found by key, and
 * read in time order per partition and per coupon.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditItem } from '../../../functions/shared/data/audit.js';
import { type Harness, startHarness } from '../../support/harness.js';
import { at, auditItem, freshId, NOW, padding } from '../../support/store-items.js';

let harness: Harness;
let store: Harness['store'];
beforeAll(async () => {
  harness = await startHarness();
  store = harness.store;
});
afterAll(async () => {
  await harness.close();
});

const storedAudit = async (...args: Parameters<typeof auditItem>) => {
  const record = auditItem(...args);
  expect(await store.putAudit(record)).toBe(true);
  return record;
};

/** Queries sent so far (a read that pages sends several). */
const queries = () => harness.sent.filter((command) => command === 'QueryCommand').length;

const keyOf = (record: AuditItem) => `${record.PK} ${record.SK}`;

describe('putAudit', () => {
  it('writes a new record', async () => {
    const dealId = freshId('deal');
    const record = auditItem({ dealId, bucket: 'deal', at: NOW });

    expect(await store.putAudit(record)).toBe(true);
    expect(await store.queryAudit(dealId, 'deal', 10)).toEqual([record]);
  });

  it('refuses a second record at the same key and leaves the first untouched', async () => {
    const dealId = freshId('deal');
    const first = await storedAudit({ dealId, bucket: 'deal', at: NOW }, { after: { status: 'ISSUED' } });

    const written = await store.putAudit({ ...first, after: { status: 'TAMPERED' } });

    expect(written).toBe(false);
    expect(await store.queryAudit(dealId, 'deal', 10)).toEqual([first]);
  });
});

describe('existingAudits', () => {
  it('names the keys that hold a record, as "PK SK", and not the others', async () => {
    const dealId = freshId('deal');
    const present = await storedAudit({ dealId, bucket: 3, at: NOW });
    const missing = auditItem({ dealId, bucket: 3, at: at(1) });

    const found = await store.existingAudits([present, missing]);

    expect([...found]).toEqual([keyOf(present)]);
  });

  it('finds more than 100 records (several batches), a key named twice once', async () => {
    const dealId = freshId('deal');
    const records = await Promise.all(
      Array.from({ length: 120 }, (_, i) => storedAudit({ dealId, bucket: 'deal', at: at(i) })),
    );

    const found = await store.existingAudits([...records.slice(0, 10), ...records]);

    expect([...found].sort()).toEqual(records.map(keyOf).sort());
  });

  it('finds records that together exceed one batch response (the store hands back unprocessed keys)', async () => {
    const dealId = freshId('deal');
    const big = { blob: padding(300_000) };
    const records: AuditItem[] = [];
    for (let i = 0; i < 5; i++)
      records.push(await storedAudit({ dealId, bucket: 'deal', at: at(i) }, { after: big }));

    const batchesBefore = harness.sent.filter((command) => command === 'BatchGetItemCommand').length;
    const found = await store.existingAudits(records);
    const batches =
      harness.sent.filter((command) => command === 'BatchGetItemCommand').length - batchesBefore;

    expect([...found].sort()).toEqual(records.map(keyOf).sort());
    expect(batches).toBeGreaterThan(1);
  });

  it('finds nothing for no keys', async () => {
    expect((await store.existingAudits([])).size).toBe(0);
  });
});

describe('queryAudit', () => {
  it('reads one partition in time order, up to the limit, and nothing of other partitions', async () => {
    const dealId = freshId('deal');
    const second = await storedAudit({ dealId, bucket: 'deal', at: at(2) });
    const first = await storedAudit({ dealId, bucket: 'deal', at: at(1) });
    const third = await storedAudit({ dealId, bucket: 'deal', at: at(3) });
    await storedAudit({ dealId, bucket: 0, at: at(0) });
    await storedAudit({ dealId: freshId('deal'), bucket: 'deal', at: at(0) });

    expect(await store.queryAudit(dealId, 'deal', 10)).toEqual([first, second, third]);
    expect(await store.queryAudit(dealId, 'deal', 2)).toEqual([first, second]);
  });

  it('reads on strictly after a sort key, so paging by the last key read neither repeats nor skips', async () => {
    const dealId = freshId('deal');
    const records: AuditItem[] = [];
    for (let i = 0; i < 5; i++) records.push(await storedAudit({ dealId, bucket: 1, at: at(i) }));

    const first = await store.queryAudit(dealId, 1, 2);
    const second = await store.queryAudit(dealId, 1, 2, first.at(-1)?.SK);
    const third = await store.queryAudit(dealId, 1, 2, second.at(-1)?.SK);

    expect([...first, ...second, ...third]).toEqual(records);
    expect(third).toHaveLength(1);
  });
});

describe('queryCouponAudit', () => {
  it('reads one coupon’s records in time order, across shards’ partitions, and no other coupon’s', async () => {
    const dealId = freshId('deal');
    const couponId = freshId('coupon');
    const redeemed = await storedAudit(
      { dealId, bucket: 1, at: at(2), couponId },
      { action: 'coupon.redeemed' },
    );
    const claimed = await storedAudit({ dealId, bucket: 1, at: at(1), couponId });
    await storedAudit({ dealId, bucket: 1, at: at(0), couponId: freshId('coupon') });
    await storedAudit({ dealId, bucket: 'deal', at: at(0) });

    expect(await store.queryCouponAudit(couponId)).toEqual([claimed, redeemed]);
  });

  it('reads every record of a coupon even when they fill more than one result page', async () => {
    const dealId = freshId('deal');
    const couponId = freshId('coupon');
    const big = { blob: padding(300_000) };
    const records: AuditItem[] = [];
    for (let i = 0; i < 5; i++)
      records.push(await storedAudit({ dealId, bucket: 0, at: at(i), couponId }, { after: big }));

    const queriesBefore = queries();
    const found = await store.queryCouponAudit(couponId);

    expect(queries() - queriesBefore).toBeGreaterThan(1);
    expect(found.map(keyOf)).toEqual(records.map(keyOf));
  });
});
