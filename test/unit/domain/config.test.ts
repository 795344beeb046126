import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../functions/shared/config.js';

describe('the store client settings from the environment', () => {
  it('reads the store timeout and attempts when given', () => {
    const config = loadConfig({
      TABLE_NAME: 'livedrop',
      LIVEDROP_STORE_TIMEOUT_MS: '8000',
      LIVEDROP_STORE_ATTEMPTS: '1',
    });

    expect(config.store).toStrictEqual({ timeoutMs: 8000, attempts: 1 });
  });

  it('leaves the defaults to the runtime when neither is given', () => {
    expect(loadConfig({ TABLE_NAME: 'livedrop' }).store).toBeUndefined();
  });

  it.each([
    ['LIVEDROP_STORE_TIMEOUT_MS', '50'],
    ['LIVEDROP_STORE_TIMEOUT_MS', '1.5'],
    ['LIVEDROP_STORE_ATTEMPTS', '0'],
    ['LIVEDROP_STORE_ATTEMPTS', 'many'],
  ])('stops the cold start with a clear message for %s=%s', (name, value) => {
    expect(() => loadConfig({ TABLE_NAME: 'livedrop', [name]: value })).toThrow(
      new RegExp(`livedrop configuration is invalid: ${name}: Must be`),
    );
  });
});
