/**
 * How big an item is and what reading or writing it costs, the way DynamoDB counts it (approximately).
 *
 * DynamoDB's documented rules ("Item sizes and formats"): an item's size is the sum of its attribute names'
 * and values' lengths. This follows them with these approximations:
 * - strings and attribute names: UTF-8 bytes; binary: raw bytes;
 * - numbers: 1 byte per two significant digits, plus 1 (the documented upper bound is 21 bytes);
 * - booleans and null: 1 byte;
 * - lists and maps: 3 bytes of overhead plus 1 byte per element, plus their contents (map keys count as names);
 * - sets: the sum of their elements.
 * Items are given marshalled (AttributeValue maps), as the low-level client sends and receives them.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';

export type Item = Record<string, AttributeValue>;

const utf8 = (text: string): number => Buffer.byteLength(text, 'utf8');

const numberSize = (text: string): number => {
  const digits = text
    .replace(/^[-+]/, '')
    .replace(/e.*$/i, '')
    .replace('.', '')
    .replace(/^0+/, '')
    .replace(/0+$/, '');
  return Math.ceil(Math.max(digits.length, 1) / 2) + 1;
};

const binarySize = (value: Uint8Array | string): number =>
  typeof value === 'string' ? utf8(value) : value.byteLength;

/** The size in bytes of one attribute value. */
export const valueSize = (value: AttributeValue): number => {
  if (value.S !== undefined) return utf8(value.S);
  if (value.N !== undefined) return numberSize(value.N);
  if (value.B !== undefined) return binarySize(value.B);
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.SS !== undefined) return value.SS.reduce((sum, s) => sum + utf8(s), 0);
  if (value.NS !== undefined) return value.NS.reduce((sum, n) => sum + numberSize(n), 0);
  if (value.BS !== undefined) return value.BS.reduce((sum, b) => sum + binarySize(b), 0);
  if (value.L !== undefined) return value.L.reduce((sum, element) => sum + 1 + valueSize(element), 3);
  if (value.M !== undefined)
    return Object.entries(value.M).reduce(
      (sum, [name, element]) => sum + 1 + utf8(name) + valueSize(element),
      3,
    );
  return 0;
};

/** The size in bytes of an item: names plus values. An absent item has size 0. */
export const itemSize = (item: Item | undefined): number =>
  item === undefined
    ? 0
    : Object.entries(item).reduce((sum, [name, value]) => sum + utf8(name) + valueSize(value), 0);

const KB = 1024;

/** Write capacity units of one write: 1 per started KB of the item, at least 1. */
export const writeUnits = (bytes: number): number => Math.max(1, Math.ceil(bytes / KB));

/**
 * Read capacity units of one read of `bytes`: 1 per started 4 KB when strongly consistent, half that when
 * eventually consistent; a read of nothing still costs the minimum.
 */
export const readUnits = (bytes: number, consistent: boolean): number => {
  const units = Math.max(1, Math.ceil(bytes / (4 * KB)));
  return consistent ? units : units / 2;
};
