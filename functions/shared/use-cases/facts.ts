import type { Clock } from '../domain/clock.js';

/**
 * Short-lived, per-container facts about deals ("shard k is empty", "the deal is sold out", "the deal is not
 * live"). They only ever let a claim be REFUSED without a store write; nothing is granted on their word.
 * Returned units and restocks in this container clear them; elsewhere they lapse after `ttlMs`.
 */
interface DealFacts {
  soldOutUntil: number;
  /** The deal sold out since its stock last came back in this container: worth a cheap re-check. */
  wasSoldOut: boolean;

  notLive?: { status: string; until: number };
  emptyShards: Map<number, number>;
  /** Shards last seen with no unit, however long ago: tried last, never refused on (`pickShard`). */
  lastSeenDry: Set<number>;
}

const MAX_DEALS = 10_000;

export class Facts {
  private readonly deals = new Map<string, DealFacts>();

  constructor(
    private readonly clock: Clock,
    private readonly ttlMs: number,
  ) {}

  private entry(dealId: string): DealFacts {
    let facts = this.deals.get(dealId);
    if (!facts) {
      if (this.deals.size >= MAX_DEALS) this.deals.clear();
      facts = { soldOutUntil: 0, wasSoldOut: false, emptyShards: new Map(), lastSeenDry: new Set() };
      this.deals.set(dealId, facts);
    }
    return facts;
  }

  /** Why a claim on this deal can be refused right now without touching the store, if it can. */
  refusal(dealId: string): { kind: 'SOLD_OUT' } | { kind: 'NOT_LIVE'; status: string } | undefined {
    const facts = this.deals.get(dealId);
    if (!facts) return undefined;
    const now = this.clock.now();
    if (facts.notLive && facts.notLive.until > now) return { kind: 'NOT_LIVE', status: facts.notLive.status };
    if (facts.soldOutUntil > now) return { kind: 'SOLD_OUT' };
    return undefined;
  }

  /** The deal sold out in this container and that fact has lapsed: worth one cheap look at the shards. */
  recheckDue(dealId: string): boolean {
    const facts = this.deals.get(dealId);
    return facts?.wasSoldOut === true && facts.soldOutUntil <= this.clock.now();
  }

  /** A re-check found units: sell again, skipping the shards it found empty. */
  reopen(dealId: string, emptyShards: readonly number[]): void {
    this.deals.delete(dealId);
    for (const shard of emptyShards) this.shardEmpty(dealId, shard);
  }

  /**
   * A shard worth trying next: not known empty, not yet tried by this claim, picked at random to spread load.
   * Shards last seen dry are picked only when no other is left: once "empty" lapses, a draining deal's dry
   * shards would otherwise draw refused probes again. Only the order changes; nothing is refused on it.
   */
  pickShard(dealId: string, shardCount: number, tried: ReadonlySet<number>): number | undefined {
    const facts = this.deals.get(dealId);
    const now = this.clock.now();
    const hopeful: number[] = [];
    const doubtful: number[] = [];
    for (let k = 0; k < shardCount; k++) {
      if (tried.has(k)) continue;
      const until = facts?.emptyShards.get(k);
      if (until !== undefined && until > now) continue;
      (facts?.lastSeenDry.has(k) ? doubtful : hopeful).push(k);
    }
    const candidates = hopeful.length > 0 ? hopeful : doubtful;
    return candidates[Math.floor(Math.random() * candidates.length)];
  }

  /** What a take's answer or a read showed of shard k's stock: dry ones are tried last from now on. */
  sawShard(dealId: string, shard: number, available: number): void {
    if (available <= 0) this.shardEmpty(dealId, shard);
    else this.deals.get(dealId)?.lastSeenDry.delete(shard);
  }

  isShardEmpty(dealId: string, shard: number): boolean {
    const until = this.deals.get(dealId)?.emptyShards.get(shard);
    return until !== undefined && until > this.clock.now();
  }

  shardEmpty(dealId: string, shard: number): void {
    const facts = this.entry(dealId);
    facts.emptyShards.set(shard, this.clock.now() + this.ttlMs);
    facts.lastSeenDry.add(shard);
  }

  soldOut(dealId: string): void {
    const facts = this.entry(dealId);
    facts.soldOutUntil = this.clock.now() + this.ttlMs;
    facts.wasSoldOut = true;
  }

  notLive(dealId: string, status: string): void {
    this.entry(dealId).notLive = { status, until: this.clock.now() + this.ttlMs };
  }

  /** Stock came back or the status changed: forget everything we believed about this deal. */
  forget(dealId: string): void {
    this.deals.delete(dealId);
  }
}
