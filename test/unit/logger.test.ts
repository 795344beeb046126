import { describe, expect, it } from 'vitest';
import { Logger, type LoggerOptions, type LogLevel } from '../../functions/shared/logger.js';

const capture = (options: Omit<LoggerOptions, 'write'> = {}) => {
  const lines: { level: LogLevel; record: Record<string, unknown>; raw: string }[] = [];
  const logger = new Logger({
    env: {},
    ...options,
    write: (raw, level) => lines.push({ level, raw, record: JSON.parse(raw) as Record<string, unknown> }),
  });
  return { logger, lines };
};

describe('Logger', () => {
  it('writes one JSON line per entry, level first, with the service, a timestamp and the fields', () => {
    const { logger, lines } = capture({ serviceName: 'livedrop-test' });

    logger.info('http request', { route: 'POST /deals', statusCode: 201 });

    expect(lines).toHaveLength(1);
    expect(lines[0]?.raw.startsWith('{"level":"INFO","message":"http request"')).toBe(true);
    expect(lines[0]?.raw.endsWith('}\n')).toBe(true);
    expect(lines[0]?.record).toStrictEqual({
      level: 'INFO',
      message: 'http request',
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      service: 'livedrop-test',
      route: 'POST /deals',
      statusCode: 201,
    });
  });

  it('drops entries below its level, taken from LIVEDROP_LOG_LEVEL, then AWS_LAMBDA_LOG_LEVEL, then INFO', () => {
    const fromOwn = capture({ env: { LIVEDROP_LOG_LEVEL: 'warn', AWS_LAMBDA_LOG_LEVEL: 'DEBUG' } });
    const fromLambda = capture({ env: { AWS_LAMBDA_LOG_LEVEL: 'ERROR' } });
    const byDefault = capture();
    const silent = capture({ logLevel: 'SILENT' });

    for (const { logger } of [fromOwn, fromLambda, byDefault, silent]) {
      logger.debug('d');
      logger.info('i');
      logger.warn('w');
      logger.error('e');
    }

    expect(fromOwn.lines.map((line) => line.record.message)).toStrictEqual(['w', 'e']);
    expect(fromLambda.lines.map((line) => line.record.message)).toStrictEqual(['e']);
    expect(byDefault.lines.map((line) => line.record.message)).toStrictEqual(['i', 'w', 'e']);
    expect(silent.lines).toHaveLength(0);
  });

  it('hands warnings and errors to the writer as such (stderr by default)', () => {
    const { logger, lines } = capture({ logLevel: 'DEBUG' });

    logger.debug('d');
    logger.info('i');
    logger.warn('w');
    logger.error('e');

    expect(lines.map((line) => line.level)).toStrictEqual(['DEBUG', 'INFO', 'WARN', 'ERROR']);
  });

  it('writes errors with name, message, stack and cause, wherever they sit in the fields', () => {
    const { logger, lines } = capture();
    const cause = new Error('socket hang up');
    const error = new TypeError('store unavailable', { cause });

    logger.error('claim failed', { error, nested: { errors: [cause] } });

    const record = lines[0]?.record;
    expect(record?.error).toStrictEqual({
      name: 'TypeError',
      message: 'store unavailable',
      stack: expect.stringContaining('TypeError: store unavailable'),
      cause: { name: 'Error', message: 'socket hang up', stack: expect.any(String) },
    });
    expect(record?.nested).toStrictEqual({
      errors: [{ name: 'Error', message: 'socket hang up', stack: expect.any(String) }],
    });
  });

  it('writes a value met inside itself as [Circular] and a BigInt as a string, instead of throwing', () => {
    const { logger, lines } = capture();
    const loop: Record<string, unknown> = { id: 'a' };
    loop.self = loop;

    logger.info('odd values', { loop, big: 2n ** 70n });

    expect(lines[0]?.record.loop).toStrictEqual({ id: 'a', self: '[Circular]' });
    expect(lines[0]?.record.big).toBe('1180591620717411303424');
  });

  it('adds the invocation’s request id and function to later lines, cold_start true only for the first', () => {
    const { logger, lines } = capture({
      env: { _X_AMZN_TRACE_ID: 'Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1' },
    });

    logger.addContext({ awsRequestId: 'req-1', functionName: 'livedrop-claim' });
    logger.info('first');
    logger.addContext({ awsRequestId: 'req-2', functionName: 'livedrop-claim' });
    logger.info('second');

    expect(lines.map((line) => line.record)).toMatchObject([
      {
        message: 'first',
        cold_start: true,
        function_request_id: 'req-1',
        function_name: 'livedrop-claim',
        xray_trace_id: '1-5759e988-bd862e3fe1be46a994272793',
      },
      { message: 'second', cold_start: false, function_request_id: 'req-2' },
    ]);
  });

  it('indents records for a terminal when LIVEDROP_LOG_PRETTY is true, still one write per record', () => {
    const { logger, lines } = capture({ env: { LIVEDROP_LOG_PRETTY: 'true' } });

    logger.info('readable', { a: 1 });

    expect(lines).toHaveLength(1);
    expect(lines[0]?.raw).toContain('\n  "message": "readable"');
  });
});
