import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../../functions/shared/use-cases/idempotent-request.js';

describe('canonicalJson: what makes two requests the same', () => {
  it('ignores the order of keys, at every depth', () => {
    const a = {
      body: { action: 'restock', quantity: 3, nested: { y: 1, x: [2, { b: 1, a: 2 }] } },
      path: { dealId: 'd' },
    };
    const b = {
      path: { dealId: 'd' },
      body: { nested: { x: [2, { a: 2, b: 1 }], y: 1 }, quantity: 3, action: 'restock' },
    };

    expect(canonicalJson(a)).toBe(canonicalJson(b));
  });

  it('keeps the order of arrays and tells values apart', () => {
    expect(canonicalJson({ dealIds: ['a', 'b'] })).not.toBe(canonicalJson({ dealIds: ['b', 'a'] }));
    expect(canonicalJson({ stock: 1 })).not.toBe(canonicalJson({ stock: '1' }));
    expect(canonicalJson({ stock: 1 })).not.toBe(canonicalJson({ stock: 1, shards: 1 }));
  });
});
