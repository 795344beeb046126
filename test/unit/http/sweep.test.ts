import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Logger } from '../../../functions/shared/logger.js';
import type { SweepReport } from '../../../functions/shared/use-cases/types.js';
import { createSweepHandler, type SweepHandler } from '../../../functions/sweep/app.js';
import { type FakeEngine, fakeEngine, lambdaContext, loadEvent, silentLogger } from './support.js';

const report = (overrides: Partial<SweepReport> = {}): SweepReport => ({
  deals: 3,
  expired: 12,
  unitsReturned: 12,
  orphansReturned: 1,
  slotsFreed: 12,
  dealsEnded: 1,
  dealsSettled: 1,
  dropsApplied: 0,
  errors: 0,
  ...overrides,
});

describe('sweep', () => {
  let engine: FakeEngine;
  let logger: Logger;
  let handler: SweepHandler;

  beforeEach(() => {
    engine = fakeEngine();
    logger = silentLogger();
    handler = createSweepHandler({ engine, logger });
  });

  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('runs one sweep per scheduled event and returns its report', async () => {
    engine.sweep.mockResolvedValue(report());
    const result = await handler(loadEvent<unknown>('sweep'), lambdaContext());
    expect(result).toStrictEqual(report());
    expect(engine.sweep).toHaveBeenCalledExactlyOnceWith();
  });

  it('logs the report', async () => {
    const info = vi.spyOn(logger, 'info');
    const warn = vi.spyOn(logger, 'warn');
    engine.sweep.mockResolvedValue(report());
    await handler(loadEvent<unknown>('sweep'), lambdaContext());
    expect(info).toHaveBeenCalledExactlyOnceWith('sweep finished', {
      report: report(),
      durationMs: expect.any(Number),
    });
    expect(warn).not.toHaveBeenCalled();
  });

  it('warns when some deals could not be swept', async () => {
    const info = vi.spyOn(logger, 'info');
    const warn = vi.spyOn(logger, 'warn');
    engine.sweep.mockResolvedValue(report({ errors: 2 }));
    await handler(loadEvent<unknown>('sweep'), lambdaContext());
    expect(warn).toHaveBeenCalledExactlyOnceWith('sweep finished with errors', {
      report: report({ errors: 2 }),
      durationMs: expect.any(Number),
    });
    expect(info).not.toHaveBeenCalled();
  });

  it('ignores what the event carries', async () => {
    engine.sweep.mockResolvedValue(report());
    await expect(handler({ anything: 'at all' }, lambdaContext())).resolves.toStrictEqual(report());
    expect(engine.sweep).toHaveBeenCalledExactlyOnceWith();
  });

  it('logs a failed run and fails the invocation so the scheduler retries', async () => {
    const error = vi.spyOn(logger, 'error');
    const failure = new Error('table not found');
    engine.sweep.mockRejectedValue(failure);
    await expect(handler(loadEvent<unknown>('sweep'), lambdaContext())).rejects.toBe(failure);
    expect(error).toHaveBeenCalledExactlyOnceWith('sweep failed', {
      durationMs: expect.any(Number),
      error: failure,
    });
  });
});
