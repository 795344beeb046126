/**
 * The store sends DynamoDB's own commands, whose values are attribute values ({ S: 'x' }); tests that look at
 * what was sent read them with plain values, as the document client would have taken them.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';

type Wire = Record<string, AttributeValue>;
export const plain = (item: unknown) => (item === undefined ? undefined : unmarshall(item as Wire));
export const mapped = (value: unknown, each: (item: unknown) => unknown) =>
  value === undefined ? undefined : (value as unknown[]).map(each);
export const perTable = (
  value: unknown,
  each: (entry: Record<string, unknown>) => Record<string, unknown>,
) =>
  value === undefined
    ? undefined
    : Object.fromEntries(
        Object.entries(value as Record<string, Record<string, unknown>>).map(([t, v]) => [t, each(v)]),
      );
export const defined = (object: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined));

/** A sent command's input with plain values, as the document client would have taken it. */
export const plainInput = (input: Record<string, unknown>) =>
  defined({
    ...input,
    Item: plain(input.Item),
    Key: plain(input.Key),
    ExpressionAttributeValues: plain(input.ExpressionAttributeValues),
    ExclusiveStartKey: plain(input.ExclusiveStartKey),
    RequestItems: perTable(input.RequestItems, (entry) =>
      defined({ ...entry, Keys: mapped(entry.Keys, plain) }),
    ),
  });
