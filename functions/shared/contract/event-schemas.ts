import * as z from 'zod/mini';
import { EVENT_SCHEMAS, EVENT_SOURCE, type EventType } from '../domain/events.js';

/**
 * JSON Schemas of the events livedrop publishes, built from the zod detail schemas so they cannot drift from
 * what the engine emits. Each describes the whole EventBridge envelope (source, detail-type, detail), in
 * JSON Schema Draft 4: the format an EventBridge schema registry takes and generates code bindings from.
 * The same documents are written to docs/events/ and put into the stack's registry.
 */
export const EVENT_TYPES = Object.keys(EVENT_SCHEMAS) as EventType[];

/** `Coupon Claimed` -> `CouponClaimed`: the registry's schema name and the file's stem. */
export const schemaNameOf = (detailType: EventType): string => detailType.replace(/\s+/g, '');

/** `Coupon Claimed` -> `coupon-claimed.json` */
export const schemaFileOf = (detailType: EventType): string =>
  `${detailType.toLowerCase().replace(/\s+/g, '-')}.json`;

export const eventJsonSchema = (detailType: EventType): Record<string, unknown> => {
  const detail = z.toJSONSchema(EVENT_SCHEMAS[detailType], { target: 'draft-4', io: 'output' }) as Record<
    string,
    unknown
  >;
  const { $schema: _schema, ...detailBody } = detail;
  return {
    $schema: 'http://json-schema.org/draft-04/schema#',
    title: schemaNameOf(detailType),
    description: `The "${detailType}" event livedrop puts on its bus (source "${EVENT_SOURCE}").`,
    type: 'object',
    required: ['source', 'detail-type', 'detail'],
    properties: {
      version: { type: 'string' },
      id: { type: 'string' },
      'detail-type': { type: 'string', enum: [detailType] },
      source: { type: 'string', enum: [EVENT_SOURCE] },
      account: { type: 'string' },
      time: { type: 'string', format: 'date-time' },
      region: { type: 'string' },
      resources: { type: 'array', items: { type: 'string' } },
      detail: detailBody,
    },
  };
};
