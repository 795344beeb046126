import { randomUUID } from 'node:crypto';
import * as z from 'zod/mini';
import { type EventPattern, matchesPattern } from './event-pattern.js';

/** One rule of the wiring, with how to deliver to its target. */
export interface LocalRule {
  id: string;
  bus: 'livedrop' | 'default';
  pattern: EventPattern;
  target: string;
  deliver: (event: BusEvent) => Promise<unknown>;
}

/** The envelope EventBridge hands to targets. */
export interface BusEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: unknown;
}

export interface PutEventsEntry {
  Source?: unknown;
  DetailType?: unknown;
  Detail?: unknown;
  EventBusName?: unknown;
  Resources?: unknown;
  Time?: unknown;
}

export interface PutEventsResult {
  FailedEntryCount: number;
  Entries: ({ EventId: string } | { ErrorCode: string; ErrorMessage: string })[];
  /** Local extension: which entries matched no rule (EventBridge drops those silently). */
  Unmatched: number[];
  /** Local extension, with `wait`: each delivery's outcome. */
  Deliveries?: {
    entry: number;
    rule: string;
    target: string;
    ok: boolean;
    result?: unknown;
    error?: string;
  }[];
}

/**
 * An entry's Time: an ISO 8601 instant with its offset, or epoch seconds, which is how the AWS SDK writes a
 * Date on the wire (so a function's own client may set it).
 */
const entryTimeSchema = z.union([
  z.iso.datetime({ offset: true }),
  z.number().check(z.gte(0), z.lte(253_402_300_799)),
]);

/** The envelope's `time`: UTC to the second, as EventBridge writes it. */
const envelopeTime = (instant: Date): string => instant.toISOString().replace(/\.\d{3}Z$/, 'Z');

const LOCAL_ACCOUNT = '000000000000';
const LOCAL_REGION = 'local';
const MAX_ENTRIES = 10;

const busName = (value: unknown): 'livedrop' | 'default' | undefined => {
  if (value === undefined || value === 'default') return 'default';
  if (typeof value !== 'string') return undefined;
  const name = value.startsWith('arn:') ? value.slice(value.lastIndexOf('/') + 1) : value;
  return name === 'livedrop' || name === 'default' ? name : undefined;
};

/**
 * The local EventBridge: takes a PutEvents request body, matches each entry against the wiring's rules on
 * its bus (no EventBusName = the default bus, as in AWS) and delivers matches to their functions. Like
 * EventBridge it answers at once and delivers asynchronously; `wait` delivers first and reports outcomes.
 */
export class LocalBus {
  private readonly inFlight = new Set<Promise<unknown>>();
  /** Told of every event accepted on the livedrop bus, besides the rules (the local live events). */
  private readonly listeners = new Set<(event: BusEvent) => void>();

  /**
   * `retryDelaysMs`: like Lambda's asynchronous invocation, a delivery that throws is tried again after
   * each of these delays (Lambda: twice, over about three minutes; locally seconds by default).
   */
  constructor(
    private readonly rules: readonly LocalRule[],
    private readonly log: (message: string, extra: Record<string, unknown>) => void,
    private readonly now: () => Date = () => new Date(),
    private readonly retryDelaysMs: readonly number[] = [1_000, 2_000],
  ) {}

  /** Calls `listener` with every event accepted on the livedrop bus; returns how to stop. */
  subscribe(listener: (event: BusEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async putEvents(
    body: { Entries?: unknown } | null,
    options: { wait?: boolean } = {},
  ): Promise<PutEventsResult> {
    if (
      body === null ||
      typeof body !== 'object' ||
      !Array.isArray(body.Entries) ||
      body.Entries.length === 0 ||
      body.Entries.length > MAX_ENTRIES
    ) {
      throw new RangeError(`Entries must be an array of 1 to ${MAX_ENTRIES} entries.`);
    }
    const result: PutEventsResult = { FailedEntryCount: 0, Entries: [], Unmatched: [] };
    const deliveries: Promise<NonNullable<PutEventsResult['Deliveries']>[number]>[] = [];
    body.Entries.forEach((raw: PutEventsEntry, index) => {
      const problem = this.validate(raw);
      if (problem) {
        result.FailedEntryCount++;
        result.Entries.push({ ErrorCode: 'InvalidArgument', ErrorMessage: problem });
        return;
      }
      const event: BusEvent = {
        version: '0',
        id: randomUUID(),
        'detail-type': raw.DetailType as string,
        source: raw.Source as string,
        account: LOCAL_ACCOUNT,
        time: envelopeTime(
          raw.Time === undefined
            ? this.now()
            : new Date(typeof raw.Time === 'number' ? raw.Time * 1000 : (raw.Time as string)),
        ),
        region: LOCAL_REGION,
        resources: (raw.Resources as string[] | undefined) ?? [],
        detail: JSON.parse(raw.Detail as string),
      };
      result.Entries.push({ EventId: event.id });
      const bus = busName(raw.EventBusName);
      if (bus === 'livedrop') for (const listener of this.listeners) listener(event);
      const matched = this.rules.filter(
        (rule) =>
          rule.bus === bus && matchesPattern(rule.pattern, event as unknown as Record<string, unknown>),
      );
      this.log('event received', {
        eventId: event.id,
        source: event.source,
        detailType: event['detail-type'],
        bus,
        rules: matched.map((r) => r.id),
      });
      if (matched.length === 0) result.Unmatched.push(index);
      for (const rule of matched) {
        const delivery = this.deliver(rule, event).then(
          (output) => ({ entry: index, rule: rule.id, target: rule.target, ok: true, result: output }),
          (error: unknown) => {
            this.log('event delivery failed', { eventId: event.id, rule: rule.id, error: String(error) });
            return { entry: index, rule: rule.id, target: rule.target, ok: false, error: String(error) };
          },
        );
        this.track(delivery);
        deliveries.push(delivery);
      }
    });
    if (options.wait) result.Deliveries = await Promise.all(deliveries);
    return result;
  }

  private async deliver(rule: LocalRule, event: BusEvent): Promise<unknown> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await rule.deliver(event);
      } catch (error) {
        const delay = this.retryDelaysMs[attempt];
        if (delay === undefined) throw error;
        this.log('event delivery retried', {
          eventId: event.id,
          rule: rule.id,
          attempt: attempt + 1,
          error: String(error),
        });
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  /** Resolves once every delivery started so far has finished (for a clean shutdown). */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private track(promise: Promise<unknown>): void {
    this.inFlight.add(promise);
    void promise.finally(() => this.inFlight.delete(promise));
  }

  private validate(entry: PutEventsEntry): string | undefined {
    if (entry === null || typeof entry !== 'object') return 'An entry must be an object.';
    if (typeof entry.Source !== 'string' || entry.Source.length === 0) return 'Source is required.';
    if (typeof entry.DetailType !== 'string' || entry.DetailType.length === 0)
      return 'DetailType is required.';
    if (typeof entry.Detail !== 'string') return 'Detail must be a JSON object encoded as a string.';
    try {
      const detail: unknown = JSON.parse(entry.Detail);
      if (detail === null || typeof detail !== 'object' || Array.isArray(detail))
        return 'Detail must be a JSON object.';
    } catch {
      return 'Detail is not valid JSON.';
    }
    if (
      entry.Resources !== undefined &&
      !(Array.isArray(entry.Resources) && entry.Resources.every((resource) => typeof resource === 'string'))
    ) {
      return 'Resources must be a list of ARNs.';
    }
    if (entry.Time !== undefined && !entryTimeSchema.safeParse(entry.Time).success) {
      return 'Time must be an ISO 8601 instant with its offset, or epoch seconds.';
    }
    if (busName(entry.EventBusName) === undefined)
      return `Event bus ${String(entry.EventBusName)} does not exist.`;
    return undefined;
  }
}
