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

describe('the settings a function reads from its environment', () => {
  it('reads each setting it is given into the config', () => {
    const config = loadConfig({
      TABLE_NAME: 'livedrop',
      DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000',
      AWS_REGION: 'eu-central-1',
      EVENT_BUS_NAME: 'livedrop-bus',
      PRICE_DROP_FUNCTION_ARN: 'arn:aws:lambda:eu-central-1:123456789012:function:apply',
      SCHEDULER_ROLE_ARN: 'arn:aws:iam::123456789012:role/scheduler',
      LIVEDROP_CLAIM_GRACE_SECONDS: '45',
      LIVEDROP_RATE_CLAIMS_PER_VIEWER: '30/10',
      LIVEDROP_RATE_CHECKOUT_PER_CODE: 'off',
    });

    expect(config).toStrictEqual({
      tableName: 'livedrop',
      endpoint: 'http://127.0.0.1:8000',
      region: 'eu-central-1',
      eventBusName: 'livedrop-bus',
      scheduler: {
        priceDropFunctionArn: 'arn:aws:lambda:eu-central-1:123456789012:function:apply',
        roleArn: 'arn:aws:iam::123456789012:role/scheduler',
      },
      claimGraceMs: 45_000,
      rateLimits: { claimsPerViewer: { limit: 30, windowSeconds: 10 }, checkoutPerCode: null },
    });
  });

  it('stops the cold start naming every bad setting at once, and a missing table name', () => {
    expect(() =>
      loadConfig({
        DYNAMODB_ENDPOINT: 'not a url',
        SCHEDULER_ROLE_ARN: 'role/x',
        LIVEDROP_CLAIM_GRACE_SECONDS: '1.5',
      }),
    ).toThrow(
      'livedrop configuration is invalid: TABLE_NAME: Required.; DYNAMODB_ENDPOINT: Must be a URL.; ' +
        'LIVEDROP_CLAIM_GRACE_SECONDS: Must be a whole number of seconds.; SCHEDULER_ROLE_ARN: Must start with arn:.',
    );
  });

  it.each(['0/10', '30/0', '30', '30/10/5', 'OFF'])('refuses the rate limit %s', (value) => {
    expect(() => loadConfig({ TABLE_NAME: 'livedrop', LIVEDROP_RATE_CLAIMS_PER_VIEWER: value })).toThrow(
      'LIVEDROP_RATE_CLAIMS_PER_VIEWER: Must be like 30/10 (requests/seconds) or off.',
    );
  });
});
