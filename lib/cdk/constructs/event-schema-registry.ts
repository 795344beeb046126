import { CfnRegistry, CfnSchema } from 'aws-cdk-lib/aws-eventschemas';
import { Construct } from 'constructs';
import {
  EVENT_TYPES,
  eventJsonSchema,
  schemaNameOf,
} from '../../../functions/shared/contract/event-schemas.js';

export interface EventSchemaRegistryProps {
  /** Unique in the account and region. */
  registryName: string;
}

/**
 * An EventBridge schema registry holding one JSON Schema (Draft 4) per event livedrop publishes, built from the
 * same zod schemas the engine validates with, so consumers can browse them and generate code bindings.
 */
export class EventSchemaRegistry extends Construct {
  readonly registry: CfnRegistry;
  /** By detail-type (`Coupon Claimed`). */
  readonly schemas: ReadonlyMap<string, CfnSchema>;

  constructor(scope: Construct, id: string, props: EventSchemaRegistryProps) {
    super(scope, id);
    this.registry = new CfnRegistry(this, 'Registry', {
      registryName: props.registryName,
      description: 'livedrop: the events the engine puts on its bus (source "livedrop")',
    });
    this.schemas = new Map(
      EVENT_TYPES.map((detailType) => [
        detailType,
        new CfnSchema(this, schemaNameOf(detailType), {
          // The attribute, not the name string, so CloudFormation creates the registry first.
          registryName: this.registry.attrRegistryName,
          schemaName: schemaNameOf(detailType),
          type: 'JSONSchemaDraft4',
          content: JSON.stringify(eventJsonSchema(detailType)),
          description: `The "${detailType}" event`,
        }),
      ]),
    );
  }
}
