import { ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { createDocumentClient } from '../../functions/shared/data/client.js';
import { createStore } from '../../functions/shared/data/store.js';
import type { EventPublisher } from '../../functions/shared/domain/ports.js';
import { Engine, type EngineDeps } from '../../functions/shared/use-cases/engine.js';
import type { Harness } from './harness.js';
import { plainInput } from './plain-input.js';

/** One command as the fault rules see it: its name and the partition it lands on. */
export interface Call {
  /** e.g. 'UpdateItemCommand', 'QueryCommand'. */
  command: string;
  /** The item's PK, or `<index>:<partition value>` for a Query on an index. */
  partition: string;
  /** With plain values, as the document client would take it. */
  input: Record<string, unknown>;
}

export interface FaultRule {
  /** Which calls the rule hits. */
  matches: (call: Call) => boolean;
  /**
   * `throttle`: DynamoDB refuses the call (nothing happens), as after the SDK's own retries.
   * `lose-answer`: the call lands, its answer is lost (a timeout).
   * `retried-after-lost-answer`: the call lands, its answer is lost and the SDK sends it again, so the caller gets
   * the answer to the repeat (for a put-if-absent: refused by its own first write).
   * `sdk-retries-lost-answer`: the call lands and its answer is lost below the SDK's retry, so the SDK itself
   * sends it again (and the answer's `$metadata.attempts` says 2).
   */
  kind: 'throttle' | 'lose-answer' | 'retried-after-lost-answer' | 'sdk-retries-lost-answer';
  /** Stop after this many hits (default: never). */
  times?: number;
}

export interface Faults {
  rules: FaultRule[];
  /** Calls each rule hit, by rule index. */
  hits: number[];
  /** Turn every rule off (e.g. for the repair after the faulty part of a test). */
  off: boolean;
}

const partitionOf = (input: Record<string, unknown>): string => {
  const item = (input.Item ?? input.Key) as { PK?: string } | undefined;
  if (item?.PK !== undefined) return item.PK;
  const values = input.ExpressionAttributeValues as Record<string, unknown> | undefined;
  const pk = String(values?.[':pk'] ?? '');
  return input.IndexName === undefined ? pk : `${String(input.IndexName)}:${pk}`;
};

export const throttled = (
  message = 'The level of configured provisioned throughput for the table was exceeded.',
) => new ProvisionedThroughputExceededException({ message, $metadata: { httpStatusCode: 400 } });

/**
 * An engine (one container) whose store client misbehaves on chosen partitions: the faults sit at the
 * client, below the engine, the way DynamoDB's throttling and a lost network answer reach production code.
 */
export const faultyEngine = (
  h: Harness,
  rules: FaultRule[],
  extra: { events?: EventPublisher; options?: EngineDeps['options'] } = {},
): { engine: Engine; faults: Faults; close: () => void } => {
  const faults: Faults = { rules, hits: rules.map(() => 0), off: false };
  const client = createDocumentClient({ endpoint: h.embedded.endpoint, maxSockets: 64 });
  const ruleFor = (call: Call, belowRetry: boolean): number =>
    faults.off
      ? -1
      : rules.findIndex(
          (rule, i) =>
            (rule.kind === 'sdk-retries-lost-answer') === belowRetry &&
            (rule.times === undefined || (faults.hits[i] ?? 0) < rule.times) &&
            rule.matches(call),
        );
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = plainInput(args.input as Record<string, unknown>);
      const call: Call = { command: context.commandName ?? '', partition: partitionOf(input), input };
      const index = ruleFor(call, true);
      if (index < 0) return next(args);
      faults.hits[index] = (faults.hits[index] ?? 0) + 1;
      await next(args);
      throw Object.assign(new Error('the answer was lost'), { name: 'TimeoutError', $metadata: {} });
    },
    { step: 'finalizeRequest', name: 'faults-below-retry' },
  );
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = plainInput(args.input as Record<string, unknown>);
      const call: Call = { command: context.commandName ?? '', partition: partitionOf(input), input };
      const index = ruleFor(call, false);
      const rule = rules[index];
      if (!rule) return next(args);
      faults.hits[index] = (faults.hits[index] ?? 0) + 1;
      if (rule.kind === 'throttle') throw throttled();
      await next(args);
      if (rule.kind === 'retried-after-lost-answer') return next(args);
      throw Object.assign(new Error('the answer was lost'), { name: 'TimeoutError' });
    },
    { step: 'initialize', name: 'faults' },
  );
  const engine = new Engine({
    store: createStore(client, h.embedded.tableName),
    clock: h.clock,
    logger: { error: () => {} },
    ...(extra.events === undefined ? {} : { events: extra.events }),
    ...(extra.options === undefined ? {} : { options: extra.options }),
  });
  return { engine, faults, close: () => client.destroy() };
};

/** Calls to one of a deal's shard items (the hot partitions), optionally only shard `k`. */
export const onShard = (dealId: string, k?: number) => (call: Call) =>
  k === undefined
    ? /^DEAL#[^#]+#SHARD#\d+$/.test(call.partition) && call.partition.startsWith(`DEAL#${dealId}#`)
    : call.partition === `DEAL#${dealId}#SHARD#${k}`;

/** The one batch read of a deal's shards and their tallies: what the stock figures read. */
export const figureReads = (dealId: string) => (call: Call) =>
  call.command === 'BatchGetItemCommand' &&
  JSON.stringify(call.input.RequestItems ?? {}).includes(`"DEAL#${dealId}#SHARD#0#TALLY"`);

/** Writes to a deal's shard tallies (returns and redemptions counted). */
export const onTally = (dealId: string) => (call: Call) =>
  /^DEAL#[^#]+#SHARD#\d+#TALLY$/.test(call.partition) && call.partition.startsWith(`DEAL#${dealId}#`);

/** Audit record writes of a deal. */
export const auditWrites = (dealId: string) => (call: Call) =>
  call.command === 'PutItemCommand' && call.partition.startsWith(`AUDIT#${dealId}#`);
