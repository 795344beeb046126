import { createRequire } from 'node:module';

/**
 * DynamoDB answers a refused conditional write with the item that refused it when the write asks for it
 * (`ReturnValuesOnConditionCheckFailure: ALL_OLD`); dynalite 4 drops the parameter. Without it every refused
 * shard take or retry record costs here a read it does not cost on DynamoDB, so the embedded store is taught
 * to hand the item back, once per process, by wrapping the condition check all of dynalite's writes share.
 */

type Refusal = { body: Record<string, unknown> } | null | undefined;
type ConditionCheck = (data: Record<string, unknown>, existing: unknown) => Refusal;

const PARAMETER = 'ReturnValuesOnConditionCheckFailure';
const WRITES = ['putItem', 'updateItem', 'deleteItem'] as const;

let taught = false;

export const handBackRefusingItems = (): void => {
  if (taught) return;
  taught = true;
  // The very module objects dynalite's actions read at call time (CommonJS, shared through the require cache).
  const require = createRequire(import.meta.url);
  const db = require('dynalite/db/index.js') as { checkConditional: ConditionCheck };
  for (const write of WRITES) {
    // dynalite keeps only the request fields its validation declares.
    const { types } = require(`dynalite/validations/${write}.js`) as { types: Record<string, unknown> };
    types[PARAMETER] = { type: 'String', enum: ['ALL_OLD', 'NONE'] };
  }
  const check = db.checkConditional;
  db.checkConditional = (data, existing) => {
    const refusal = check(data, existing);
    if (refusal && existing && data[PARAMETER] === 'ALL_OLD') refusal.body.Item = existing;
    return refusal;
  };
};
