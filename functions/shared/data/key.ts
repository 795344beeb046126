/**
 * What every entity module shares. dealId and couponId are ULIDs and codes are Crockford base32, so none of
 * them contains '#'; viewer ids and idempotency keys are caller-chosen and therefore only ever the LAST
 * component of a key. The key table in docs/design.md lists every shape the entity modules write.
 */
export interface Key {
  PK: string;
  SK: string;
}

/** Every item-creating write: put-if-absent, so a retry or a race never overwrites the first item. */
export const IS_NEW = 'attribute_not_exists(PK)';
/** For updates that must never create an item as a side effect. */
export const EXISTS = 'attribute_exists(PK)';

/** `PK SK`: how a set of keys is compared. */
export const keyString = (key: Key): string => `${key.PK} ${key.SK}`;
