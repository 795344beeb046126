/**
 * An item's size by DynamoDB's rules (what a write is billed on: 1 WCU per KB): each attribute's name plus its
 * value; strings by UTF-8 bytes, numbers about one byte per two significant digits plus one, maps and lists 3
 * bytes plus one per element plus their elements (a map's keys counted like names).
 */
const valueSize = (value: unknown): number => {
  if (value === null || value === undefined || typeof value === 'boolean') return 1;
  if (typeof value === 'string') return Buffer.byteLength(value, 'utf8');
  if (typeof value === 'number' || typeof value === 'bigint') {
    const digits = String(value).replace(/^-/, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
    return Math.ceil(Math.max(1, digits.length) / 2) + 1;
  }
  if (value instanceof Set) return [...value].reduce((sum: number, element) => sum + valueSize(element), 0);
  if (Array.isArray(value))
    return 3 + value.reduce((sum: number, element) => sum + 1 + valueSize(element), 0);
  if (typeof value === 'object') {
    return (
      3 +
      Object.entries(value).reduce(
        (sum, [key, element]) => sum + 1 + Buffer.byteLength(key) + valueSize(element),
        0,
      )
    );
  }
  throw new Error(`no DynamoDB size for ${typeof value}`);
};

export const itemSize = (item: object): number =>
  Object.entries(item).reduce((sum, [name, value]) => sum + Buffer.byteLength(name) + valueSize(value), 0);
