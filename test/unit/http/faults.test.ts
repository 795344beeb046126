import { describe, expect, it } from 'vitest';
import { ClaimAbandoned } from '../../../functions/shared/domain/errors.js';
import { errorCode, errorResponse, isTransientFault } from '../../../functions/shared/http/responses.js';

const named = (name: string, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error('boom'), { name, ...extra });

describe('store faults', () => {
  it.each([
    ['a throttled table', named('ProvisionedThroughputExceededException')],
    ['a throttled request', named('ThrottlingException')],
    ['a refused connection', named('Error', { code: 'ECONNREFUSED' })],
    ['a reset connection', named('Error', { code: 'ECONNRESET' })],
    ['an SDK time-out', named('TimeoutError')],
    ['a retryable SDK error', named('SomethingNew', { $retryable: {} })],
    ['a 500 from the service', named('InternalServerError', { $metadata: { httpStatusCode: 500 } })],
    ['a claim the reconciler took over', new ClaimAbandoned('claim abandoned: ticket 0/3 was taken over')],
  ])('answers %s with 503 SERVICE_UNAVAILABLE and Retry-After', (_what, error) => {
    const response = errorResponse(error);

    expect(isTransientFault(error)).toBe(true);
    expect(response.statusCode).toBe(503);
    expect(response.headers?.['retry-after']).toBe('1');
    expect(JSON.parse(response.body ?? '{}')).toEqual({
      error: { code: 'SERVICE_UNAVAILABLE', message: 'The service is busy; retry shortly.' },
    });
    expect(errorCode(error)).toBe('SERVICE_UNAVAILABLE');
  });

  it('keeps our own bugs a generic 500 without Retry-After', () => {
    const response = errorResponse(new TypeError('cannot read properties of undefined'));

    expect(response.statusCode).toBe(500);
    expect(response.headers?.['retry-after']).toBeUndefined();
    expect(JSON.parse(response.body ?? '{}')).toEqual({
      error: { code: 'INTERNAL', message: 'Internal error.' },
    });
  });
});
