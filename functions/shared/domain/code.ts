import { randomBytes } from 'node:crypto';

/**
 * Coupon codes: 80 bits from the CSPRNG, written in Crockford base32 (no I, L, O or U, so nothing reads
 * ambiguously), grouped 4-4-4-4 for reading aloud. Independent of the couponId's ULID time part, so a code
 * reveals nothing and cannot be guessed from another one.
 */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const CODE_BITS = 80;
const CODE_CHARS = CODE_BITS / 5;

export const generateCode = (): string => {
  const bytes = randomBytes(CODE_BITS / 8);
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += ALPHABET[(value >>> bits) & 31];
    }
    value &= (1 << bits) - 1;
  }
  return out;
};

/** Groups a normalised code for display: 7KQ2-M9XH-3TRD-W4PZ. */
export const formatCode = (code: string): string => code.match(/.{1,4}/g)?.join('-') ?? code;

/**
 * Accepts what a person types: any case, with or without dashes or spaces, and the Crockford look-alikes
 * (O for 0, I and L for 1). Returns undefined when it cannot be a livedrop code.
 */
export const normalizeCode = (input: string): string | undefined => {
  // Check before upper-casing: some non-ASCII letters upper-case into ASCII ones (ß -> SS, ı -> I).
  if (!/^[0-9A-Za-z\s-]*$/.test(input)) return undefined;
  const compact = input.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  if (compact.length !== CODE_CHARS) return undefined;
  for (const ch of compact) if (!ALPHABET.includes(ch)) return undefined;
  return compact;
};
