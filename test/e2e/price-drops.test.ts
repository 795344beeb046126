import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DealView, PriceDropView } from '../../functions/shared/domain/schemas.js';
import { Api, eventually, killAll, type RuntimeProcess, startRuntimeProcess } from './support.js';

/**
 * Gala price drops through `npm start`'s runtime: the engine creates each drop's one-time schedule with the
 * same Scheduler adapter as in AWS, the local scheduler fires it at its instant, pending ones survive a
 * restart, and a cancelled one never fires.
 */
let dataDir: string;
let runtime: RuntimeProcess;
let api: Api;
let admin: string;
let host: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'livedrop-drops-'));
  runtime = await startRuntimeProcess(dataDir);
  api = new Api(runtime.url);
  admin = await api.token('ops-1', 'admin');
  host = await api.token('host-1', 'host');
});
afterAll(async () => {
  await killAll();
  await rm(dataDir, { recursive: true, force: true });
});

/** An instant `seconds` from now, written with the Berlin offset the organiser would use. */
const berlinIn = (seconds: number): string => {
  const instant = new Date(Date.now() + seconds * 1000);
  const wall = new Intl.DateTimeFormat('sv-SE', {
    timeZone: 'Europe/Berlin',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  })
    .format(instant)
    .replace(' ', 'T');
  const offsetMinutes = Math.round(
    (Date.parse(`${wall}Z`) - Math.floor(instant.getTime() / 1000) * 1000) / 60_000,
  );
  const sign = offsetMinutes >= 0 ? '+' : '-';
  const abs = Math.abs(offsetMinutes);
  return `${wall}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
};

const liveGalaDeal = async (galaId: string, dealPrice: number): Promise<DealView> => {
  const created = await api.call<DealView>('POST', '/deals', {
    token: host,
    body: {
      title: 'Gala jacket',
      sku: 'GALA-1',
      streamId: 'gala-stream',
      galaId,
      currency: 'EUR',
      listPrice: 10_000,
      dealPrice,
      stock: 20,
    },
  });
  expect(created.status).toBe(201);
  await api.call('POST', `/deals/${created.body.dealId}/cues`, { token: host, body: { action: 'start' } });
  return created.body;
};

const drops = async (galaId: string) =>
  (await api.call<{ drops: PriceDropView[] }>('GET', `/galas/${galaId}/price-drops`, { token: admin })).body
    .drops;

const appliedDrop = (galaId: string, dropId: string, timeoutMs: number) =>
  eventually(
    async () => {
      const drop = (await drops(galaId)).find((d) => d.dropId === dropId);
      if (drop?.status !== 'APPLIED') throw new Error(`drop is ${drop?.status}`);
      return drop;
    },
    { timeoutMs, what: `price drop ${dropId} applying` },
  );

describe('gala price drops in the local runtime', () => {
  it('fires a drop at its instant and applies the new price to every deal of the gala once', async () => {
    const deal = await liveGalaDeal('gala-live', 8_000);
    const other = await liveGalaDeal('gala-live', 9_000);

    const scheduled = await api.call<PriceDropView>('POST', '/galas/gala-live/price-drops', {
      token: admin,
      body: { at: berlinIn(3), timeZone: 'Europe/Berlin', percentOff: 25 },
    });
    expect(scheduled.status).toBe(201);
    expect(scheduled.body.status).toBe('SCHEDULED');

    const applied = await appliedDrop('gala-live', scheduled.body.dropId, 20_000);
    console.info(
      `gala drop timeline: scheduled ${scheduled.body.createdAt}, due ${applied.at}, fired ${applied.firedAt}, ` +
        `applied ${applied.appliedAt}, results ${JSON.stringify(applied.results)}`,
    );

    expect(Date.parse(applied.firedAt ?? '')).toBeGreaterThanOrEqual(Date.parse(applied.at));
    expect(applied.results).toEqual({
      [deal.dealId]: { outcome: 'APPLIED', previousPrice: 8_000, dealPrice: 6_000 },
      [other.dealId]: { outcome: 'APPLIED', previousPrice: 9_000, dealPrice: 6_750 },
    });
    const after = await api.call<DealView>('GET', `/deals/${deal.dealId}`, { token: host });
    expect(after.body).toMatchObject({ dealPrice: 6_000, priorLowestPrice: 8_000 });
  });

  it('never fires a drop cancelled before its instant', async () => {
    const deal = await liveGalaDeal('gala-cancel', 8_000);
    const scheduled = await api.call<PriceDropView>('POST', '/galas/gala-cancel/price-drops', {
      token: admin,
      body: { at: berlinIn(2), timeZone: 'Europe/Berlin', dealPrice: 1_000 },
    });

    const cancelled = await api.call<PriceDropView>(
      'DELETE',
      `/galas/gala-cancel/price-drops/${scheduled.body.dropId}`,
      { token: admin },
    );
    await new Promise((resolve) => setTimeout(resolve, 4_000));

    expect(cancelled.status).toBe(200);
    expect((await drops('gala-cancel')).map((d) => d.status)).toEqual(['CANCELLED']);
    const after = await api.call<DealView>('GET', `/deals/${deal.dealId}`, { token: host });
    expect(after.body.dealPrice).toBe(8_000);
  });

  it('keeps a pending drop across a restart and fires it afterwards', async () => {
    const deal = await liveGalaDeal('gala-restart', 8_000);
    const scheduled = await api.call<PriceDropView>('POST', '/galas/gala-restart/price-drops', {
      token: admin,
      body: { at: berlinIn(8), timeZone: 'Europe/Berlin', dealPrice: 5_000 },
    });
    expect((await runtime.stop()).code).toBe(0);

    runtime = await startRuntimeProcess(dataDir);
    api = new Api(runtime.url);

    const applied = await appliedDrop('gala-restart', scheduled.body.dropId, 25_000);
    expect(applied.results?.[deal.dealId]).toEqual({
      outcome: 'APPLIED',
      previousPrice: 8_000,
      dealPrice: 5_000,
    });
  });
});
