/**
 * Tickets on the embedded store: the arbiter of one taken unit. Written once; a CLAIMED ticket is taken
 * over (ORPHANED) only under the code it names, and only an ORPHANED one is marked RETURNED.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TicketItem } from '../../../functions/shared/data/ticket.js';
import { type Harness, startHarness } from '../../support/harness.js';
import { freshId, LATER, NOW, ticketItem } from '../../support/store-items.js';

let harness: Harness;
let store: Harness['store'];
beforeAll(async () => {
  harness = await startHarness();
  store = harness.store;
});
afterAll(async () => {
  await harness.close();
});

const storedTicket = async (overrides: Partial<TicketItem> = {}) => {
  const ticket = ticketItem(overrides);
  expect(await store.putTicket(ticket)).toBe(true);
  return ticket;
};

const reread = async (ticket: TicketItem) =>
  (await store.getTickets(ticket.dealId, ticket.shard, [ticket.seq])).get(ticket.seq);

describe('putTicket', () => {
  it('writes a new ticket', async () => {
    const ticket = ticketItem();

    expect(await store.putTicket(ticket)).toBe(true);
    expect(await reread(ticket)).toEqual(ticket);
  });

  it('refuses a second ticket for the same unit and leaves the first untouched', async () => {
    const first = await storedTicket({ code: 'CODE-A' });

    const written = await store.putTicket({ ...first, state: 'ORPHANED', code: 'CODE-B' });

    expect(written).toBe(false);
    expect(await reread(first)).toEqual(first);
  });
});

describe('getTickets', () => {
  it('maps the tickets of one shard by seq and leaves out the ones that do not exist', async () => {
    const dealId = freshId('deal');
    const one = await storedTicket({ dealId, shard: 2, seq: 1 });
    const three = await storedTicket({ dealId, shard: 2, seq: 3 });
    await storedTicket({ dealId, shard: 1, seq: 2 });

    const tickets = await store.getTickets(dealId, 2, [1, 2, 3]);

    expect([...tickets.entries()].sort(([a], [b]) => a - b)).toEqual([
      [1, one],
      [3, three],
    ]);
  });

  it('reads more than 100 tickets (several batches)', async () => {
    const dealId = freshId('deal');
    const seqs = Array.from({ length: 250 }, (_, i) => i + 1);
    await Promise.all(seqs.map((seq) => storedTicket({ dealId, seq })));

    const tickets = await store.getTickets(dealId, 0, seqs);

    expect([...tickets.keys()].sort((a, b) => a - b)).toEqual(seqs);
    expect(tickets.get(250)?.seq).toBe(250);
  });

  it('reads a seq named twice once', async () => {
    const ticket = await storedTicket({ seq: 4 });

    const tickets = await store.getTickets(ticket.dealId, ticket.shard, [4, 4, 4]);

    expect([...tickets.entries()]).toEqual([[4, ticket]]);
  });

  it('reads nothing for no seqs', async () => {
    expect((await store.getTickets(freshId('deal'), 0, [])).size).toBe(0);
  });
});

describe('orphanTicket', () => {
  it('takes over a CLAIMED ticket that names the given code', async () => {
    const ticket = await storedTicket({ state: 'CLAIMED', code: 'CODE-A' });

    const orphaned = await store.orphanTicket(ticket.dealId, ticket.shard, ticket.seq, 'CODE-A');

    expect(orphaned).toBe(true);
    expect(await reread(ticket)).toEqual({ ...ticket, state: 'ORPHANED' });
  });

  it('refuses a ticket claimed under another code and leaves it as it was', async () => {
    const ticket = await storedTicket({ state: 'CLAIMED', code: 'CODE-A' });

    const orphaned = await store.orphanTicket(ticket.dealId, ticket.shard, ticket.seq, 'CODE-B');

    expect(orphaned).toBe(false);
    expect(await reread(ticket)).toEqual(ticket);
  });

  it.each(['ORPHANED', 'RETURNED'] as const)('refuses a ticket that is already %s', async (state) => {
    const ticket = await storedTicket({ state, code: 'CODE-A' });

    const orphaned = await store.orphanTicket(ticket.dealId, ticket.shard, ticket.seq, 'CODE-A');

    expect(orphaned).toBe(false);
    expect(await reread(ticket)).toEqual(ticket);
  });

  it('refuses a ticket that does not exist and creates nothing', async () => {
    const dealId = freshId('deal');

    expect(await store.orphanTicket(dealId, 0, 1, 'CODE-A')).toBe(false);
    expect((await store.getTickets(dealId, 0, [1])).size).toBe(0);
  });
});

describe('markTicketReturned', () => {
  it('marks an ORPHANED ticket RETURNED with the time', async () => {
    const ticket = await storedTicket({ state: 'ORPHANED' });

    await store.markTicketReturned(ticket.dealId, ticket.shard, ticket.seq, NOW);

    expect(await reread(ticket)).toEqual({ ...ticket, state: 'RETURNED', returnedAt: NOW });
  });

  it('leaves a CLAIMED ticket as it was (its unit belongs to the claimer)', async () => {
    const ticket = await storedTicket({ state: 'CLAIMED' });

    await store.markTicketReturned(ticket.dealId, ticket.shard, ticket.seq, NOW);

    expect(await reread(ticket)).toEqual(ticket);
  });

  it('keeps the first return time when repeated', async () => {
    const ticket = await storedTicket({ state: 'ORPHANED' });
    await store.markTicketReturned(ticket.dealId, ticket.shard, ticket.seq, NOW);

    await store.markTicketReturned(ticket.dealId, ticket.shard, ticket.seq, LATER);

    expect((await reread(ticket))?.returnedAt).toBe(NOW);
  });

  it('creates nothing for a ticket that does not exist', async () => {
    const dealId = freshId('deal');

    await store.markTicketReturned(dealId, 0, 1, NOW);

    expect((await store.getTickets(dealId, 0, [1])).size).toBe(0);
  });
});
