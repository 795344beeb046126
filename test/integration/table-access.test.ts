import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUNCTIONS, type FunctionDeclaration } from '../../functions/shared/contract/wiring.js';
import { MemoryPublisher } from '../../functions/shared/data/event-publisher.js';
import { InjectedCrash } from '../support/crash.js';
import { adminActor, dealInput, HOST_ID, hostActor, liveDeal } from '../support/fixtures.js';
import { type Harness, startHarness } from '../support/harness.js';
import { RecordingScheduler } from '../support/scheduler.js';

/**
 * The IAM grants in functions/shared/contract/wiring.ts must be exactly what each function's code sends to DynamoDB: too little
 * fails in AWS with AccessDenied (never in tests on dynalite), too much breaks least privilege. Each case
 * runs the use cases behind one function, through all their branches, and records every command sent.
 */
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

const CHANNEL_ARN = 'arn:aws:ivs:eu-central-1:123456789012:channel/AccessChannel1';

const ACTIONS: Record<string, string> = {
  GetItemCommand: 'dynamodb:GetItem',
  BatchGetItemCommand: 'dynamodb:BatchGetItem',
  PutItemCommand: 'dynamodb:PutItem',
  UpdateItemCommand: 'dynamodb:UpdateItem',
  DeleteItemCommand: 'dynamodb:DeleteItem',
};

/** What the function's code used, in the wiring's terms. */
const usageDuring = async (run: () => Promise<unknown>) => {
  const mark = h.calls.length;
  await run();
  const items = new Set<string>();
  const query = new Set<string>();
  for (const call of h.calls.slice(mark)) {
    if (call.command === 'QueryCommand') query.add(call.index ?? 'table');
    else items.add(ACTIONS[call.command] ?? call.command);
  }
  return { items: [...items].sort(), query: [...query].sort() };
};

const declared = (fn: FunctionDeclaration) => ({
  items: [...fn.table.items].sort(),
  query: [...fn.table.query].sort(),
});

const expectRejection = async (promise: Promise<unknown>) => {
  await promise.then(
    () => undefined,
    () => undefined,
  );
};

/** Engines that publish their events, as in production (figures for Deal Stock Changed cost reads). */
const publishing = (extra: Parameters<Harness['engine']>[0] = {}) =>
  h.engine({ events: new MemoryPublisher(), ...extra });

/** Every branch of the use cases behind each function, with their setup done outside the recording. */
const EXERCISES: Record<string, () => Promise<() => Promise<unknown>>> = {
  'create-deal': async () => async () => {
    const engine = publishing();
    await engine.createDeal(dealInput(), HOST_ID);
    await engine.createDealKeyed(dealInput(), HOST_ID, 'access-deal');
    await engine.createDealKeyed(dealInput(), HOST_ID, 'access-deal');
  },
  'get-deal': async () => {
    const deal = await liveDeal(publishing());
    return () => publishing().getDeal(deal.dealId);
  },
  'get-deal-live': async () => {
    const deal = await liveDeal(publishing());
    return () => publishing().liveDeal(deal.dealId);
  },
  'get-deal-audit': async () => {
    const deal = await liveDeal(publishing());
    const { coupon } = await publishing().claim(deal.dealId, 'audited');
    return async () => {
      const engine = publishing();
      const page = await engine.auditTrail(deal.dealId, hostActor, { limit: 1 });
      await engine.auditTrail(deal.dealId, adminActor, { cursor: page.nextCursor ?? '' });
      await engine.auditTrail(deal.dealId, hostActor, { couponId: coupon.couponId });
    };
  },
  'list-stream-deals': async () => {
    await liveDeal(publishing(), { streamId: 'overlay-stream' });
    return () => publishing().streamDeals('overlay-stream');
  },
  'get-stream-live': async () => {
    const stream = 'access-stream-live';
    const deal = await liveDeal(publishing(), { streamId: stream });
    await publishing().claim(deal.dealId, 'viewer-live');
    return async () => {
      await publishing().streamLive(stream);
      await publishing().streamLive('access-no-such-live-stream');
    };
  },
  'cue-deal': async () => {
    const deal = await publishing().createDeal(dealInput(), HOST_ID);
    return async () => {
      const engine = publishing();
      await engine.cue(deal.dealId, { action: 'start' }, hostActor);
      await engine.cue(deal.dealId, { action: 'restock', quantity: 3 }, hostActor);
      await expectRejection(engine.cue(deal.dealId, { action: 'resume' }, hostActor));
      // A refused keyed cue forgets its request record.
      await expectRejection(engine.cueKeyed(deal.dealId, { action: 'resume' }, hostActor, 'access-cue'));
      await engine.cueKeyed(deal.dealId, { action: 'pause' }, hostActor, 'access-cue');
      await engine.cue(deal.dealId, { action: 'end' }, adminActor);
    };
  },
  'stream-cue': async () => {
    const deal = await publishing().createDeal(dealInput(), HOST_ID);
    return async () => {
      const engine = publishing();
      await engine.cue(deal.dealId, { action: 'start' }, hostActor, { streamId: deal.streamId });
      await engine.cue(deal.dealId, { action: 'restock', quantity: 2 }, hostActor, {
        streamId: deal.streamId,
      });
      await expectRejection(
        engine.cue(deal.dealId, { action: 'start' }, hostActor, { streamId: deal.streamId }),
      );
    };
  },
  'stream-end': async () => {
    await liveDeal(publishing(), { streamId: 'access-stream' });
    await liveDeal(publishing(), { streamId: 'elsewhere', ivsChannelArn: CHANNEL_ARN });
    return () => publishing().endStream('access-stream', CHANNEL_ARN);
  },
  'claim-coupon': async () => {
    const deal = await liveDeal(publishing(), { stock: 2, claimTtlSeconds: 60 });
    await publishing().claim(deal.dealId, 'holder');
    h.clock.advance(60_000);
    return async () => {
      const engine = publishing();
      await engine.claim(deal.dealId, 'fresh', 'key-1');
      await engine.claim(deal.dealId, 'fresh', 'key-1');
      // At the limit with an expired coupon: expired inline, unit returned, slot freed, then granted.
      await engine.claim(deal.dealId, 'holder');
      await expectRejection(engine.claim(deal.dealId, 'late', 'key-2'));
    };
  },
  'list-my-coupons': async () => {
    const deal = await liveDeal(publishing());
    await publishing().claim(deal.dealId, 'lister');
    return () => publishing().listCoupons('lister', { limit: 10 });
  },
  'redeem-coupon': async () => {
    const deal = await liveDeal(publishing());
    const { coupon } = await publishing().claim(deal.dealId, 'buyer');
    return async () => {
      const engine = publishing();
      await engine.redeem(coupon.code, { viewerId: 'buyer', orderId: 'o-1' });
      await engine.redeem(coupon.code, { viewerId: 'buyer', orderId: 'o-1' });
    };
  },
  'release-coupon': async () => {
    const deal = await liveDeal(publishing(), { claimTtlSeconds: 60 });
    const kept = (await publishing().claim(deal.dealId, 'keeper')).coupon;
    const lapsed = (await publishing().claim(deal.dealId, 'lapser')).coupon;
    await publishing().redeem(kept.code, { viewerId: 'keeper', orderId: 'o-k' });
    await publishing().redeem(lapsed.code, { viewerId: 'lapser', orderId: 'o-l' });
    return async () => {
      const engine = publishing();
      await engine.release(kept.code, { viewerId: 'keeper', orderId: 'o-k' });
      h.clock.advance(60_000);
      await engine.release(lapsed.code, { viewerId: 'lapser', orderId: 'o-l' });
    };
  },
  'create-price-drop': async () => async () => {
    const scheduler = new RecordingScheduler();
    const engine = publishing({ scheduler });
    const drop = { at: new Date(h.clock.now() + 60_000).toISOString(), timeZone: 'UTC', percentOff: 10 };
    await engine.schedulePriceDrop('access-gala', drop, adminActor);
    scheduler.failNext = true;
    await expectRejection(engine.schedulePriceDrop('access-gala', drop, adminActor));
    const past = { ...drop, at: new Date(h.clock.now() - 60_000).toISOString() };
    await expectRejection(engine.schedulePriceDropKeyed('access-gala', past, adminActor, 'access-past'));
    // A keyed drop whose first attempt died after recording it: the retry reads it and schedules it.
    const crashing = publishing({
      scheduler,
      seam: (step) => {
        if (step === 'drop.recorded') throw new InjectedCrash(step);
      },
    });
    await expectRejection(crashing.schedulePriceDropKeyed('access-gala', drop, adminActor, 'access-drop'));
    h.clock.advance(30_000);
    await engine.schedulePriceDropKeyed('access-gala', drop, adminActor, 'access-drop');
  },
  'list-price-drops': async () => () => publishing().listPriceDrops('access-gala'),
  'cancel-price-drop': async () => {
    const scheduler = new RecordingScheduler();
    const at = new Date(h.clock.now() + 60_000).toISOString();
    const drop = await h
      .engine({ scheduler })
      .schedulePriceDrop('cancel-gala', { at, timeZone: 'UTC', percentOff: 10 }, adminActor);
    return async () => {
      const engine = publishing({ scheduler });
      await engine.cancelPriceDrop('cancel-gala', drop.dropId);
      await expectRejection(engine.cancelPriceDrop('cancel-gala', drop.dropId));
    };
  },
  'apply-price-drop': async () => {
    const scheduler = new RecordingScheduler();
    await liveDeal(publishing(), { galaId: 'apply-gala', listPrice: 10_000, dealPrice: 8_000 });
    const at = new Date(h.clock.now() + 60_000).toISOString();
    const drop = await h
      .engine({ scheduler })
      .schedulePriceDrop('apply-gala', { at, timeZone: 'UTC', percentOff: 10, stock: 3 }, adminActor);
    return async () => {
      const engine = publishing();
      await engine.applyPriceDrop('apply-gala', drop.dropId);
      await engine.applyPriceDrop('apply-gala', drop.dropId);
    };
  },
  'live-metadata': async () => {
    const stream = 'access-live-metadata';
    const deal = await liveDeal(publishing(), { streamId: stream, ivsChannelArn: CHANNEL_ARN });
    await publishing().claim(deal.dealId, 'viewer-1');
    await publishing().cue(deal.dealId, { action: 'end' }, hostActor);
    await liveDeal(publishing(), { streamId: stream });
    return async () => {
      const puts: string[] = [];
      const metadata = {
        putMetadata: async (channelArn: string) => {
          puts.push(channelArn);
          return 'put' as const;
        },
      };
      await h.engine({ metadata }).putLiveMetadata([stream, 'access-no-such-stream']);
      expect(puts).toStrictEqual([CHANNEL_ARN]);
    };
  },
  sweep: async () => {
    const options = { claimGraceMs: 1_000, settleDelayMs: 0 };
    const deal = await liveDeal(publishing(), { stock: 5, claimTtlSeconds: 60, durationSeconds: 600 });
    await publishing().claim(deal.dealId, 'expiring');
    // A claim that died after writing its ticket: the reconciler voids its code, frees its slot, returns it.
    const crashing = publishing({
      seam: (step) => {
        if (step === 'claim.ticket') throw new InjectedCrash(step);
      },
    });
    await expectRejection(crashing.claim(deal.dealId, 'crashed'));
    // A gala drop whose schedule never fired: the sweep applies it.
    await liveDeal(publishing(), { galaId: 'sweep-gala', listPrice: 10_000, dealPrice: 8_000 });
    const at = new Date(h.clock.now() + 60_000).toISOString();
    await h
      .engine({ scheduler: new RecordingScheduler() })
      .schedulePriceDrop('sweep-gala', { at, timeZone: 'UTC', dealPrice: 7_000 }, adminActor);
    return async () => {
      for (let round = 0; round < 3; round++) {
        h.clock.advance(601_000);
        await publishing({ options }).sweep();
      }
    };
  },
};

describe('table access declared in the wiring', () => {
  it('has an exercise for every function', () => {
    expect(Object.keys(EXERCISES).sort()).toEqual(FUNCTIONS.map((fn) => fn.name).sort());
  });

  it.each(FUNCTIONS.map((fn) => [fn.name, fn] as const))(
    '%s is granted exactly what its code uses',
    async (name, fn) => {
      const act = await (EXERCISES[name] as () => Promise<() => Promise<unknown>>)();

      const used = await usageDuring(act);

      expect(used).toEqual(declared(fn));
    },
  );
});
