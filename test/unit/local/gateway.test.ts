import { describe, expect, it } from 'vitest';
import { GatewayRefusal, GatewayThrottle } from '../../../lib/local/gateway.js';

describe('GatewayThrottle', () => {
  it('admits a burst, refuses the next request with 429 and admits again once the steady rate refilled a token', () => {
    let now = 0;
    const throttle = new GatewayThrottle(
      { rateLimit: 2, burstLimit: 2 },
      { rateLimit: 100, burstLimit: 100 },
      () => now,
    );

    throttle.admit('POST /deals', undefined);
    throttle.admit('POST /deals', undefined);
    const refused = (() => {
      try {
        throttle.admit('POST /deals', undefined);
      } catch (error) {
        return error;
      }
    })();
    now = 500;
    const afterHalfASecond = () => throttle.admit('POST /deals', undefined);

    expect(refused).toBeInstanceOf(GatewayRefusal);
    expect((refused as GatewayRefusal).statusCode).toBe(429);
    expect(afterHalfASecond).not.toThrow();
  });

  it('gives each route its own bucket, and every route draws on the account', () => {
    const now = 0;
    const throttle = new GatewayThrottle(
      { rateLimit: 1, burstLimit: 1 },
      { rateLimit: 1, burstLimit: 3 },
      () => now,
    );

    throttle.admit('POST /deals', undefined);
    throttle.admit('GET /me/coupons', undefined);
    throttle.admit('GET /deals/{dealId}', { rateLimit: 5, burstLimit: 5 });

    expect(() => throttle.admit('GET /deals/{dealId}', { rateLimit: 5, burstLimit: 5 })).toThrow(
      GatewayRefusal,
    );
  });
});
