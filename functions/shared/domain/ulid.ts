import { randomFillSync } from 'node:crypto';
import { ulid } from 'ulid';

/**
 * ULIDs (couponId, dealId, cue and drop ids) from a pool of CSPRNG bytes. ulid's default asks the CSPRNG for
 * one byte per character, 16 calls a ULID: about half of a claim's own CPU outside the SDK. The bytes are as
 * random; only the calls are fewer.
 */
const pool = new Uint8Array(4096);
let next = pool.length;

const pooledRandom = (): number => {
  if (next === pool.length) {
    randomFillSync(pool);
    next = 0;
  }
  return (pool[next++] as number) / 256;
};

export const newUlid = (now: number): string => ulid(now, pooledRandom);
