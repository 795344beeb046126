import autocannon from 'autocannon';
import { Logger } from '../../functions/shared/logger.js';
import { startRuntime } from '../local/runtime.js';
import type { HttpResult } from './result.js';

/**
 * 4. The same kind of spike through HTTP: the local runtime (gateway, JWT checks, API Gateway events, the
 * deployed handler) under autocannon, to show what the HTTP layer adds to the in-process claim path.
 */
export const runHttpSpike = async (options: {
  concurrency: number;
  stock: number;
  viewers: number;
}): Promise<HttpResult> => {
  process.env.LIVEDROP_LOG_LEVEL = 'ERROR';
  const runtime = await startRuntime({
    port: 0,
    data: 'memory',
    sweepSeconds: 3_600,
    logger: new Logger({ serviceName: 'livedrop-bench', logLevel: 'SILENT' }),
  });
  try {
    const token = async (sub: string, role: string) => {
      const response = await fetch(`${runtime.url}/local/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ sub, role }),
      });
      return ((await response.json()) as { token: string }).token;
    };
    const host = await token('bench-host', 'host');
    const created = await fetch(`${runtime.url}/deals`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${host}` },
      body: JSON.stringify({
        title: 'Bench jacket over HTTP',
        sku: 'BENCH-HTTP',
        streamId: 'bench-http',
        currency: 'EUR',
        listPrice: 10_000,
        dealPrice: 5_000,
        stock: options.stock,
      }),
    });
    const { dealId } = (await created.json()) as { dealId: string };
    await fetch(`${runtime.url}/deals/${dealId}/cues`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${host}` },
      body: JSON.stringify({ action: 'start' }),
    });
    const tokens: string[] = [];
    for (let v = 0; v < options.viewers; v++) tokens.push(await token(`bench-http-viewer-${v}`, 'viewer'));

    let next = 0;
    const started = performance.now();
    const result = await autocannon({
      url: runtime.url,
      connections: options.concurrency,
      amount: options.viewers,
      requests: [
        {
          method: 'POST',
          path: `/deals/${dealId}/claims`,
          setupRequest: (request: { headers?: Record<string, string> }) => ({
            ...request,
            headers: { ...request.headers, authorization: `Bearer ${tokens[next++ % tokens.length]}` },
          }),
        },
      ],
    });
    const durationMs = performance.now() - started;
    const statusCounts: Record<string, number> = {};
    for (const [status, stats] of Object.entries(result.statusCodeStats ?? {})) {
      statusCounts[status] = (stats as { count: number }).count;
    }
    return {
      connections: options.concurrency,
      stock: options.stock,
      requests: result.requests.total,
      durationMs,
      requestsPerSecond: (result.requests.total / durationMs) * 1000,
      latency: {
        p50Ms: result.latency.p50,
        p95Ms: (result.latency as unknown as Record<string, number>).p97_5 ?? result.latency.p99,
        p99Ms: result.latency.p99,
        maxMs: result.latency.max,
      },
      statusCounts,
      successes: statusCounts['201'] ?? 0,
    };
  } finally {
    await runtime.close();
  }
};
