/**
 * Coupon codes: 80 random bits written as 16 Crockford base32 characters, shown 4-4-4-4, and read back
 * forgivingly from whatever a person types.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CODE_BITS, formatCode, generateCode, normalizeCode } from '../../../functions/shared/domain/code.js';

vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:crypto')>();
  return { ...actual, randomBytes: vi.fn(actual.randomBytes) };
});

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const CODE_PATTERN = /^[0-9A-HJKMNP-TV-Z]{16}$/;

/** Feeds generateCode exactly these bytes on its next call. */
const nextRandomBytes = (bytes: number[]) => {
  vi.mocked(randomBytes).mockImplementationOnce(((size: number) => {
    expect(size).toBe(bytes.length);
    return Buffer.from(bytes);
  }) as typeof randomBytes);
};

/** Reads a code back into the bytes it was written from (5 bits per character, most significant first). */
const decode = (code: string): Buffer => {
  const bits = [...code].map((ch) => CROCKFORD.indexOf(ch).toString(2).padStart(5, '0')).join('');
  return Buffer.from(
    Array.from({ length: bits.length / 8 }, (_, i) => parseInt(bits.slice(i * 8, i * 8 + 8), 2)),
  );
};

afterEach(() => {
  vi.mocked(randomBytes).mockClear();
});

describe('generateCode', () => {
  it('draws 80 bits (10 bytes) from the CSPRNG per code', () => {
    generateCode();

    expect(CODE_BITS).toBe(80);
    expect(randomBytes).toHaveBeenCalledExactlyOnceWith(10);
  });

  it('writes every one of the 80 bits into 16 characters, most significant first', () => {
    const bytes = [0x00, 0x44, 0x32, 0x14, 0xc7, 0x42, 0x54, 0xb6, 0x35, 0xcf];
    nextRandomBytes(bytes);

    const code = generateCode();

    expect(code).toBe('0123456789ABCDEF');
    expect(decode(code)).toEqual(Buffer.from(bytes));
  });

  it('maps all-zero and all-one bits to the first and last letters of the alphabet', () => {
    nextRandomBytes(Array(10).fill(0x00));
    nextRandomBytes(Array(10).fill(0xff));

    expect(generateCode()).toBe('0000000000000000');
    expect(generateCode()).toBe('ZZZZZZZZZZZZZZZZ');
  });

  it('round-trips random bytes exactly', () => {
    for (let i = 0; i < 200; i++) {
      const bytes = [...Buffer.from(Array.from({ length: 10 }, () => Math.floor(Math.random() * 256)))];
      nextRandomBytes(bytes);

      expect(decode(generateCode())).toEqual(Buffer.from(bytes));
    }
  });

  it('uses only the Crockford alphabet: never I, L, O or U', () => {
    const codes = Array.from({ length: 2_000 }, () => generateCode());

    for (const code of codes) expect(code).toMatch(CODE_PATTERN);
    expect(codes.join('')).not.toMatch(/[ILOU]/);
  });

  it('gives a different code every time', () => {
    const codes = new Set(Array.from({ length: 20_000 }, () => generateCode()));

    expect(codes.size).toBe(20_000);
  });
});

describe('formatCode', () => {
  it('groups a code 4-4-4-4 with dashes', () => {
    expect(formatCode('7KQ2M9XH3TRDW4PZ')).toBe('7KQ2-M9XH-3TRD-W4PZ');
  });
});

describe('normalizeCode', () => {
  it('accepts a code as generated', () => {
    expect(normalizeCode('7KQ2M9XH3TRDW4PZ')).toBe('7KQ2M9XH3TRDW4PZ');
  });

  it('accepts lower case, dashes and spaces', () => {
    expect(normalizeCode('7kq2-m9xh-3trd-w4pz')).toBe('7KQ2M9XH3TRDW4PZ');
    expect(normalizeCode(' 7KQ2 M9XH\t3TRD  W4PZ ')).toBe('7KQ2M9XH3TRDW4PZ');
  });

  it('reads O as 0 and I or L as 1, in either case', () => {
    expect(normalizeCode('OoIi-Ll00-1111-0000')).toBe('0011110011110000');
  });

  it('reads back every formatted code it generates', () => {
    for (let i = 0; i < 200; i++) {
      const code = generateCode();

      expect(normalizeCode(formatCode(code))).toBe(code);
      expect(normalizeCode(formatCode(code).toLowerCase())).toBe(code);
    }
  });

  it.each([
    ['15 characters', '7KQ2-M9XH-3TRD-W4P'],
    ['17 characters', '7KQ2-M9XH-3TRD-W4PZ0'],
    ['nothing', ''],
    ['only separators', '---- ----'],
  ])('rejects %s', (_what, input) => {
    expect(normalizeCode(input)).toBeUndefined();
  });

  it.each([
    ['U', '7KQ2-M9XH-3TRD-W4PU'],
    ['a symbol', '7KQ2-M9XH-3TRD-W4P*'],
    ['an underscore separator', '7KQ2_M9XH_3TRD_W4PZ'],
    ['an umlaut', '7KQ2-M9XH-3TRD-W4PÄ'],
    ['an emoji', '7KQ2-M9XH-3TRD-W4🎁'],
    ['a letter that upper-cases into two (ß)', 'ß00000000000000'],
    ['a letter that upper-cases into ASCII (dotless ı)', 'ı000000000000000'],
    ['a ligature (ﬀ)', 'ﬀ00000000000000'],
  ])('rejects a code containing %s', (_what, input) => {
    expect(normalizeCode(input)).toBeUndefined();
  });
});
