/**
 * The EventBridge schema registry: one JSON Schema (Draft 4) per event the engine publishes, the same documents
 * docs/events holds, so consumers can generate code bindings for what actually arrives on the bus.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { EVENT_TYPES, eventJsonSchema, schemaNameOf } from '../../functions/shared/contract/event-schemas.js';
import { EVENT_SOURCE } from '../../functions/shared/domain/events.js';
import {
  onlyResourceOfType,
  type Resource,
  resourcesOfType,
  type Synthesised,
  synthLivedrop,
} from './support.js';

let synthesised: Synthesised;
let registryId: string;
let registry: Resource;

beforeAll(() => {
  synthesised = synthLivedrop();
  [registryId, registry] = onlyResourceOfType(synthesised.template, 'AWS::EventSchemas::Registry');
});

const schemas = () => Object.values(resourcesOfType(synthesised.template, 'AWS::EventSchemas::Schema'));

const schemaNamed = (name: string) => {
  const found = schemas().filter((schema) => schema.Properties.SchemaName === name);
  if (found.length !== 1) throw new Error(`expected one schema ${name}, found ${found.length}`);
  return (found[0] as Resource).Properties;
};

describe('the event schema registry', () => {
  it('is the livedrop registry, published as the EventSchemaRegistry output', () => {
    expect(registry.Properties.RegistryName).toBe('livedrop');
    synthesised.template.hasOutput('EventSchemaRegistry', {
      Value: { 'Fn::GetAtt': [registryId, 'RegistryName'] },
    });
  });

  it('holds one schema per detail-type the engine publishes, and no other', () => {
    expect(EVENT_TYPES).toHaveLength(13);
    expect(
      schemas()
        .map((schema) => schema.Properties.SchemaName)
        .sort(),
    ).toStrictEqual(EVENT_TYPES.map(schemaNameOf).sort());
  });
});

describe.each(EVENT_TYPES)('the "%s" schema', (detailType) => {
  it('is JSON Schema Draft 4 in the livedrop registry, created after it', () => {
    expect(schemaNamed(schemaNameOf(detailType))).toMatchObject({
      Type: 'JSONSchemaDraft4',
      RegistryName: { 'Fn::GetAtt': [registryId, 'RegistryName'] },
    });
  });

  it('describes the event with its detail-type from source livedrop, as the engine builds it', () => {
    const content = JSON.parse(schemaNamed(schemaNameOf(detailType)).Content as string);

    expect(content).toStrictEqual(eventJsonSchema(detailType));
    expect(content.$schema).toBe('http://json-schema.org/draft-04/schema#');
    expect(content.properties.source).toStrictEqual({ type: 'string', enum: [EVENT_SOURCE] });
    expect(EVENT_SOURCE).toBe('livedrop');
    expect(content.properties['detail-type']).toStrictEqual({ type: 'string', enum: [detailType] });
  });
});
