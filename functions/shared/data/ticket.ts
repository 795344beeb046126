import type { TicketStore } from '../domain/store-port.js';
import type { Key } from './key.js';
import type { Table } from './table.js';

export type TicketState = 'CLAIMED' | 'ORPHANED' | 'RETURNED';

/**
 * The arbiter of one unit taken from a shard: CLAIMED by the claimer (naming its coupon code) or ORPHANED by
 * the reconciler, both put-if-absent; whoever writes it first owns the unit. RETURNED once it is back.
 */
export interface TicketItem {
  PK: string;
  SK: string;
  type: 'TICKET';
  dealId: string;
  shard: number;
  seq: number;
  state: TicketState;
  code?: string;
  viewerId?: string;
  at: string;
  returnedAt?: string;
}

const SEQ_WIDTH = 10;

export const ticketKey = (dealId: string, shard: number, seq: number): Key => ({
  PK: `DEAL#${dealId}#SHARD#${shard}#TICKET#${String(seq).padStart(SEQ_WIDTH, '0')}`,
  SK: 'TICKET',
});

/** The claimer's ticket for unit `seq` of shard `shard`, naming the code its coupon will be written at. */
export const claimedTicket = (
  unit: { dealId: string; shard: number; seq: number },
  claim: { code: string; viewerId: string; at: string },
): TicketItem => ({
  ...ticketKey(unit.dealId, unit.shard, unit.seq),
  type: 'TICKET',
  ...unit,
  state: 'CLAIMED',
  ...claim,
});

/** The reconciler's ticket for a unit nobody claimed within the grace: it goes back to stock. */
export const orphanedTicket = (
  unit: { dealId: string; shard: number; seq: number },
  at: string,
): TicketItem => ({
  ...ticketKey(unit.dealId, unit.shard, unit.seq),
  type: 'TICKET',
  ...unit,
  state: 'ORPHANED',
  at,
});

export const ticketStore = (table: Table): TicketStore => ({
  putTicket: (item) => table.putIfNew(item),

  getTickets: async (dealId, shard, seqs) => {
    const found = await table.batchGet<TicketItem>(
      seqs.map((seq) => ticketKey(dealId, shard, seq)),
      (item) => item.PK,
    );
    return new Map([...found.values()].map((ticket) => [ticket.seq, ticket]));
  },

  orphanTicket: async (dealId, shard, seq, code) =>
    (await table.updateIf({
      Key: ticketKey(dealId, shard, seq),
      UpdateExpression: 'SET #state = :orphaned',
      ConditionExpression: '#state = :claimed AND code = :code',
      ExpressionAttributeNames: { '#state': 'state' },
      ExpressionAttributeValues: { ':orphaned': 'ORPHANED', ':claimed': 'CLAIMED', ':code': code },
    })) !== undefined,

  markTicketReturned: async (dealId, shard, seq, nowIso) => {
    await table.updateIf({
      Key: ticketKey(dealId, shard, seq),
      UpdateExpression: 'SET #state = :returned, returnedAt = :now',
      ConditionExpression: '#state = :orphaned',
      ExpressionAttributeNames: { '#state': 'state' },
      ExpressionAttributeValues: { ':returned': 'RETURNED', ':orphaned': 'ORPHANED', ':now': nowIso },
    });
  },
});
