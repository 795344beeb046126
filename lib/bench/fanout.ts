import { request } from 'node:http';
import { Logger } from '../../functions/shared/logger.js';
import { startRuntime } from '../local/runtime.js';

/**
 * `npm run bench -- --fanout`: N overlay clients on the local runtime's live events while a rush of claims runs.
 * For each claim, the delay from its answer to every client holding a version that includes it. A claim is
 * taken as included once a client saw `stock - available` reach the number of claims SENT before its answer (on
 * a one-shard deal, tickets are dense, so that bound is safe: the figure is an upper bound by at most one claim's
 * time in flight). The runtime shares this process with the clients, so the CPU is theirs together.
 */
export interface FanoutOptions {
  clients: number;
  claims: number;
  concurrency: number;
}

export interface FanoutResult {
  clientsConnected: number;
  claims: number;
  delayMs: { p50: number; p99: number; max: number };
  cpu: { userMs: number; systemMs: number; wallMs: number };
  events: number;
}

const percentile = (sorted: number[], p: number) =>
  sorted.length === 0
    ? Number.NaN
    : (sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] as number);

export const runFanout = async (options: FanoutOptions): Promise<FanoutResult> => {
  process.env.LIVEDROP_LOG_LEVEL = 'ERROR';
  const runtime = await startRuntime({
    port: 0,
    data: 'memory',
    sweepSeconds: 3_600,
    logger: new Logger({ serviceName: 'livedrop-bench', logLevel: 'SILENT' }),
  });
  try {
    const post = async (path: string, auth: string | undefined, body?: unknown) =>
      fetch(`${runtime.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(auth ? { authorization: `Bearer ${auth}` } : {}) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    const token = async (sub: string, role: string) =>
      ((await (await post('/local/token', undefined, { sub, role })).json()) as { token: string }).token;
    const host = await token('fanout-host', 'host');
    const stock = options.claims + 10;
    const created = await post('/deals', host, {
      title: 'Fan-out jacket',
      sku: 'FANOUT',
      streamId: 'fanout',
      currency: 'EUR',
      listPrice: 10_000,
      dealPrice: 5_000,
      stock,
      shards: 1,
    });
    const { dealId } = (await created.json()) as { dealId: string };
    await post(`/deals/${dealId}/cues`, host, { action: 'start' });
    const tokens = await Promise.all(
      Array.from({ length: options.claims }, (_, i) => token(`fanout-viewer-${i}`, 'viewer')),
    );

    // Per client: the highest issued count seen and when each count was first reached.
    const seen: { taken: number; at: number }[][] = [];
    let connected = 0;
    let events = 0;
    const sockets: { destroy(): void }[] = [];
    const { port } = runtime;
    await Promise.all(
      Array.from(
        { length: options.clients },
        (_, c) =>
          new Promise<void>((resolve) => {
            const log: { taken: number; at: number }[] = [];
            seen.push(log);
            const req = request({
              host: '127.0.0.1',
              port,
              path: '/streams/fanout/live/events',
              agent: false,
            });
            req.on('response', (res) => {
              connected++;
              sockets.push(res.socket);
              let buffer = '';
              res.setEncoding('utf8');
              res.on('data', (chunk: string) => {
                buffer += chunk;
                let end = buffer.indexOf('\n\n');
                while (end >= 0) {
                  const data = /^data: (.*)$/m.exec(buffer.slice(0, end))?.[1];
                  buffer = buffer.slice(end + 2);
                  if (data) {
                    const deal = (JSON.parse(data) as { d: { k: number; a: number }[] }).d[0];
                    if (deal) log.push({ taken: deal.k - deal.a, at: performance.now() });
                    events++;
                    resolve();
                  }
                  end = buffer.indexOf('\n\n');
                }
              });
            });
            req.on('error', () => resolve());
            req.end();
            void c;
          }),
      ),
    );

    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    let sent = 0;
    const answers: { at: number; sentBefore: number }[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: options.concurrency }, async () => {
        while (next < options.claims) {
          const i = next++;
          sent++;
          const answer = await post(`/deals/${dealId}/claims`, tokens[i]);
          await answer.arrayBuffer();
          answers.push({ at: performance.now(), sentBefore: sent });
        }
      }),
    );
    // Wait until every client saw every claim (or 10 s).
    const deadline = performance.now() + 10_000;
    while (performance.now() < deadline && seen.some((log) => (log[log.length - 1]?.taken ?? 0) < sent)) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const wallMs = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);

    const delays: number[] = [];
    for (const claim of answers) {
      let worst = 0;
      for (const log of seen) {
        const hit = log.find((entry) => entry.taken >= claim.sentBefore);
        worst = Math.max(worst, hit ? hit.at - claim.at : Number.POSITIVE_INFINITY);
      }
      delays.push(Math.max(0, worst));
    }
    delays.sort((a, b) => a - b);
    for (const socket of sockets) socket.destroy();
    return {
      clientsConnected: connected,
      claims: answers.length,
      delayMs: {
        p50: percentile(delays, 0.5),
        p99: percentile(delays, 0.99),
        max: delays[delays.length - 1] ?? 0,
      },
      cpu: { userMs: cpu.user / 1000, systemMs: cpu.system / 1000, wallMs },
      events,
    };
  } finally {
    await runtime.close();
  }
};
