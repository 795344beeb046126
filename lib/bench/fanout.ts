import { request } from 'node:http';
import { Logger } from '../../functions/shared/logger.js';
import { startRuntime } from '../local/runtime.js';
import { readTickets } from './engine.js';

/**
 * `npm run bench -- --fanout`: N overlay clients on the local runtime's live events while a rush of claims runs.
 * For each claim, the delay from its answer to every client holding a version that includes it. A claim is
 * included once a client saw `stock - available` (the issued count: nothing is returned during the rush) reach
 * the claim's ticket, read back from the store after the rush (on a one-shard deal, tickets are 1, 2, 3, ...).
 * The runtime shares this process with the clients, so the CPU is theirs together, and the last client's
 * moment includes the time this process took to take in every other client's copy of the frame.
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

/** What one client saw: each issued count (`stock - available`) it reached, and when (performance.now()). */
export type ClientLog = readonly { taken: number; at: number }[];

/**
 * Per claim (its answer's moment and its ticket), how long until the last client held a state including it: the
 * first state whose issued count reached the ticket. Never negative (a state read between the claim's write and
 * its answer reaches a client first); infinite if some client never saw it.
 */
export const claimDelays = (
  claims: readonly { at: number; ticket: number }[],
  clients: readonly ClientLog[],
): number[] =>
  claims.map((claim) => {
    let worst = 0;
    for (const log of clients) {
      const hit = log.find((entry) => entry.taken >= claim.ticket);
      worst = Math.max(worst, hit ? hit.at - claim.at : Number.POSITIVE_INFINITY);
    }
    return worst;
  });

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
    const answers: { at: number; code: string }[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: options.concurrency }, async () => {
        while (next < options.claims) {
          const i = next++;
          const answer = await post(`/deals/${dealId}/claims`, tokens[i]);
          // The answer's moment is when it arrived, not when its body was read.
          const at = performance.now();
          const body = (await answer.json()) as { code?: string };
          if (answer.status === 201 && body.code) answers.push({ at, code: body.code });
        }
      }),
    );
    // Wait until every client saw every claim (or 10 s).
    const deadline = performance.now() + 10_000;
    while (
      performance.now() < deadline &&
      seen.some((log) => (log[log.length - 1]?.taken ?? 0) < answers.length)
    ) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const wallMs = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);

    const tickets = await readTickets(
      runtime.store,
      answers.map((claim) => claim.code),
    );
    const delays = claimDelays(
      answers.map((claim) => ({
        at: claim.at,
        ticket: tickets.get(claim.code) ?? Number.POSITIVE_INFINITY,
      })),
      seen,
    );
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
