import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../functions/shared/config.js';
import { clientLocation } from '../../functions/shared/data/client.js';
import { EventBridgePublisher, MemoryPublisher } from '../../functions/shared/data/event-publisher.js';
import { EVENT_SCHEMAS, type EventType } from '../../functions/shared/domain/events.js';
import { eventBridgeEvents } from '../../functions/shared/runtime-events.js';
import { adminActor, hostActor, liveDeal } from '../support/fixtures.js';
import { type Harness, startHarness } from '../support/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

describe('the events livedrop emits', () => {
  it('tells a deal’s whole life, every event matching its documented schema', async () => {
    const publisher = new MemoryPublisher();
    const engine = h.engine({ events: publisher });
    const deal = await liveDeal(engine, { stock: 2, claimTtlSeconds: 30 });
    const kept = await engine.claim(deal.dealId, 'keeper');
    h.clock.advance(1_001);
    const lapsed = await engine.claim(deal.dealId, 'lapser');
    await expect(engine.claim(deal.dealId, 'too-late')).rejects.toMatchObject({ code: 'SOLD_OUT' });
    await engine.redeem(kept.coupon.code, { viewerId: 'keeper', orderId: 'o-1' });
    await engine.release(kept.coupon.code, { viewerId: 'keeper', orderId: 'o-1' });
    await engine.cue(deal.dealId, { action: 'pause' }, hostActor);
    await engine.cue(deal.dealId, { action: 'resume' }, hostActor);
    await engine.cue(deal.dealId, { action: 'restock', quantity: 3 }, hostActor);
    h.clock.advance(31_000);
    await engine.sweep();
    await engine.cue(deal.dealId, { action: 'end' }, adminActor);

    const types = publisher.published.map((event) => event.detailType);
    for (const event of publisher.published) {
      const parsed = EVENT_SCHEMAS[event.detailType as EventType].safeParse(event.detail);
      expect(parsed.success, `${event.detailType}: ${JSON.stringify(parsed.error?.issues)}`).toBe(true);
      expect(JSON.stringify(event.detail)).not.toContain(kept.coupon.code.replace(/-/g, ''));
    }
    for (const expected of [
      'Deal Started',
      'Coupon Claimed',
      'Deal Sold Out',
      'Coupon Redeemed',
      'Coupon Released',
      'Deal Paused',
      'Deal Resumed',
      'Deal Restocked',
      'Coupon Expired',
      'Deal Ended',
      'Deal Stock Changed',
    ]) {
      expect(types, `no ${expected}`).toContain(expected);
    }
    expect(types.filter((t) => t === 'Coupon Expired')).toHaveLength(2);
    const claimed = publisher.published.filter((event) => event.detailType === 'Coupon Claimed');
    expect(claimed.map((event) => event.detail.couponId)).toEqual([
      kept.coupon.couponId,
      lapsed.coupon.couponId,
    ]);
  });

  it('coalesces Deal Stock Changed to at most one per deal per second in a container', async () => {
    const publisher = new MemoryPublisher();
    const engine = h.engine({ events: publisher });
    const deal = await liveDeal(engine, { stock: 50 });

    for (let i = 0; i < 10; i++) await engine.claim(deal.dealId, `burst-${i}`);
    h.clock.advance(1_000);
    await engine.claim(deal.dealId, 'after-a-second');

    const stock = publisher.published.filter(
      (event) => event.detailType === 'Deal Stock Changed' && event.detail.dealId === deal.dealId,
    );
    expect(stock).toHaveLength(2);
    expect(stock[1]?.detail).toMatchObject({ stock: 50, available: 39, held: 11, redeemed: 0 });
  });

  it('never fails the request when the bus is unreachable, and logs and counts the loss', async () => {
    const errors: unknown[] = [];
    const metrics: [string, number][] = [];
    const publisher = new EventBridgePublisher(
      new EventBridgeClient({ ...clientLocation({ endpoint: 'http://127.0.0.1:9' }), maxAttempts: 1 }),
      'livedrop',
      { error: (...args: unknown[]) => errors.push(args) } as never,
      (count) => metrics.push(['EventPublishFailures', count]),
    );
    const engine = h.engine({ events: publisher });
    const deal = await liveDeal(engine);

    const claimed = await engine.claim(deal.dealId, 'v');

    expect(claimed.coupon.status).toBe('ISSUED');
    expect(errors.length).toBeGreaterThan(0);
    expect(metrics).toContainEqual(['EventPublishFailures', 2]);
  });

  it('emits EventPublishFailures as an EMF metric in the deployed wiring', async () => {
    const env = {
      TABLE_NAME: 'livedrop',
      EVENT_BUS_NAME: 'livedrop',
      EVENTBRIDGE_ENDPOINT: 'http://127.0.0.1:9',
    };
    const written: string[] = [];
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    try {
      const publisher = eventBridgeEvents(loadConfig(env), { error: () => {} } as never, env);
      await publisher?.publish([
        {
          detailType: 'Deal Sold Out',
          detail: { dealId: 'd', streamId: 's', at: '2026-12-04T20:00:00.000Z' },
        },
      ]);

      await vi.waitFor(() => {
        const emf = written.flatMap((line) => (line.startsWith('{') ? [JSON.parse(line) as unknown] : []));
        expect(emf).toContainEqual({
          _aws: {
            Timestamp: expect.any(Number),
            CloudWatchMetrics: [
              {
                Namespace: 'livedrop',
                Dimensions: [['service']],
                Metrics: [{ Name: 'EventPublishFailures', Unit: 'Count' }],
              },
            ],
          },
          service: 'livedrop',
          EventPublishFailures: 1,
        });
      });
    } finally {
      stdout.mockRestore();
    }
  });
});
