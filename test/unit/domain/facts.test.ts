/**
 * Per-container facts only ever let a claim be refused without a store write, so they must lapse on time,
 * clear on forget, and never steer a claim to a shard it already tried or knows to be empty; a shard last seen dry
 * is only tried last.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Facts } from '../../../functions/shared/use-cases/facts.js';
import { TestClock } from '../../support/clock.js';

const TTL_MS = 2_000;
const DEAL = 'deal-a';
const OTHER_DEAL = 'deal-b';

let clock: TestClock;
let facts: Facts;

beforeEach(() => {
  clock = new TestClock();
  facts = new Facts(clock, TTL_MS);
});

afterEach(() => {
  vi.restoreAllMocks();
});

/** Every shard pickShard can return, found by walking Math.random over [0, 1) instead of sampling. */
const reachableShards = (shardCount: number, tried: ReadonlySet<number> = new Set()) => {
  const picked = new Set<number | undefined>();
  const random = vi.spyOn(Math, 'random');
  for (let step = 0; step < 1_000; step++) {
    random.mockReturnValue(step / 1_000);
    picked.add(facts.pickShard(DEAL, shardCount, tried));
  }
  random.mockRestore();
  return [...picked].sort();
};

describe('refusal', () => {
  it('knows nothing about a deal it was told nothing about', () => {
    expect(facts.refusal(DEAL)).toBeUndefined();
  });

  it('refuses a sold-out deal until the ttl lapses', () => {
    facts.soldOut(DEAL);

    clock.advance(TTL_MS - 1);
    expect(facts.refusal(DEAL)).toEqual({ kind: 'SOLD_OUT' });

    clock.advance(1);
    expect(facts.refusal(DEAL)).toBeUndefined();
  });

  it('refuses a deal that is not live, naming its status, until the ttl lapses', () => {
    facts.notLive(DEAL, 'PAUSED');

    clock.advance(TTL_MS - 1);
    expect(facts.refusal(DEAL)).toEqual({ kind: 'NOT_LIVE', status: 'PAUSED' });

    clock.advance(1);
    expect(facts.refusal(DEAL)).toBeUndefined();
  });

  it('prefers not-live over sold-out while both hold', () => {
    facts.soldOut(DEAL);
    facts.notLive(DEAL, 'ENDED');

    expect(facts.refusal(DEAL)).toEqual({ kind: 'NOT_LIVE', status: 'ENDED' });
  });

  it('starts the ttl again when a fact is learned again', () => {
    facts.soldOut(DEAL);
    clock.advance(TTL_MS - 1);
    facts.soldOut(DEAL);

    clock.advance(TTL_MS - 1);

    expect(facts.refusal(DEAL)).toEqual({ kind: 'SOLD_OUT' });
  });

  it('does not refuse a deal only because some of its shards are empty', () => {
    facts.shardEmpty(DEAL, 0);

    expect(facts.refusal(DEAL)).toBeUndefined();
  });

  it('keeps facts about one deal away from another', () => {
    facts.soldOut(DEAL);
    facts.shardEmpty(DEAL, 0);

    expect(facts.refusal(OTHER_DEAL)).toBeUndefined();
    expect(facts.isShardEmpty(OTHER_DEAL, 0)).toBe(false);
  });
});

describe('forget', () => {
  it('clears every fact about the deal at once', () => {
    facts.soldOut(DEAL);
    facts.notLive(DEAL, 'PAUSED');
    facts.shardEmpty(DEAL, 1);

    facts.forget(DEAL);

    expect(facts.refusal(DEAL)).toBeUndefined();
    expect(facts.isShardEmpty(DEAL, 1)).toBe(false);
    expect(reachableShards(2)).toEqual([0, 1]);
  });

  it('leaves other deals alone', () => {
    facts.soldOut(OTHER_DEAL);

    facts.forget(DEAL);

    expect(facts.refusal(OTHER_DEAL)).toEqual({ kind: 'SOLD_OUT' });
  });
});

describe('empty shards', () => {
  it('knows a shard is empty until the ttl lapses', () => {
    facts.shardEmpty(DEAL, 2);

    clock.advance(TTL_MS - 1);
    expect(facts.isShardEmpty(DEAL, 2)).toBe(true);
    expect(facts.isShardEmpty(DEAL, 1)).toBe(false);

    clock.advance(1);
    expect(facts.isShardEmpty(DEAL, 2)).toBe(false);
  });
});

describe('pickShard', () => {
  it('can pick any shard of a deal it knows nothing about', () => {
    expect(reachableShards(4)).toEqual([0, 1, 2, 3]);
  });

  it('never picks a shard this claim already tried', () => {
    expect(reachableShards(5, new Set([0, 3]))).toEqual([1, 2, 4]);
  });

  it('never picks a shard known to be empty', () => {
    facts.shardEmpty(DEAL, 1);
    facts.shardEmpty(DEAL, 4);

    expect(reachableShards(5)).toEqual([0, 2, 3]);
  });

  it('skips tried and empty shards together, leaving only the rest', () => {
    facts.shardEmpty(DEAL, 0);

    expect(reachableShards(3, new Set([2]))).toEqual([1]);
  });

  it('after its empty fact lapsed, picks a shard last seen dry only once no other is left', () => {
    facts.shardEmpty(DEAL, 0);
    clock.advance(TTL_MS);

    expect(reachableShards(3)).toEqual([1, 2]);
    expect(reachableShards(3, new Set([1, 2]))).toEqual([0]);
  });

  it('puts a shard last no more once it is seen with stock again', () => {
    facts.shardEmpty(DEAL, 0);
    clock.advance(TTL_MS);

    facts.sawShard(DEAL, 0, 3);

    expect(reachableShards(3)).toEqual([0, 1, 2]);
  });

  it('takes a shard seen with no unit left as empty', () => {
    facts.sawShard(DEAL, 1, 0);

    expect(facts.isShardEmpty(DEAL, 1)).toBe(true);
    expect(facts.refusal(DEAL)).toBeUndefined();
  });

  it('picks a shard again once its empty fact has lapsed', () => {
    facts.shardEmpty(DEAL, 0);
    facts.shardEmpty(DEAL, 1);
    expect(reachableShards(2)).toEqual([undefined]);

    clock.advance(TTL_MS);

    expect(reachableShards(2)).toEqual([0, 1]);
  });

  it('returns undefined when every shard was tried', () => {
    expect(facts.pickShard(DEAL, 3, new Set([0, 1, 2]))).toBeUndefined();
  });

  it('returns undefined when every untried shard is known to be empty', () => {
    facts.shardEmpty(DEAL, 0);
    facts.shardEmpty(DEAL, 2);

    expect(facts.pickShard(DEAL, 3, new Set([1]))).toBeUndefined();
  });

  it('spreads picks over the candidates with the real random source', () => {
    const counts = new Map<number | undefined, number>();
    for (let i = 0; i < 4_000; i++) {
      const shard = facts.pickShard(DEAL, 4, new Set([3]));
      counts.set(shard, (counts.get(shard) ?? 0) + 1);
    }

    expect([...counts.keys()].sort()).toEqual([0, 1, 2]);
    for (const count of counts.values()) expect(count).toBeGreaterThan(1_000);
  });
});
