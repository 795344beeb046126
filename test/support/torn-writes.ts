import { marshall } from '@aws-sdk/util-dynamodb';
import {
  create,
  type DynaliteItem,
  type DynaliteStore,
  type DynaliteTable,
  getIndexActions,
} from 'dynalite/db/index.js';

/**
 * dynalite writes an item's index entries and then the item itself as separate LevelDB writes. These
 * helpers leave the files of a stopped store the way a SIGKILL between those writes would, so a test can
 * check what the restarted store makes of them.
 */

const open = async <T>(path: string, run: (store: DynaliteStore, table: DynaliteTable) => Promise<T>) => {
  const store = create({ path });
  try {
    const table = await new Promise<DynaliteTable>((resolve, reject) =>
      store.getTable('livedrop', (error, found) => (error || !found ? reject(error) : resolve(found))),
    );
    return await run(store, table);
  } finally {
    await store.db.close();
  }
};

const indexKey = (index: string, key: string) => `index-global~livedrop~${index}~${key}`;

/** A put killed after its index entries were written and before the item was: index entries only. */
export const indexEntriesWithoutItem = (path: string, item: Record<string, unknown>) =>
  open(path, async (store, table) => {
    const stored = marshall(item, { removeUndefinedValues: true }) as unknown as DynaliteItem;
    const { puts } = getIndexActions(table.GlobalSecondaryIndexes ?? [], undefined, stored, table);
    await store.db.batch(
      puts.map((put) => ({ type: 'put', key: indexKey(put.index, put.key), value: put.item })),
    );
    return puts.length;
  });

/** An update killed after it deleted the item's old index entries and before it wrote the new ones. */
export const itemWithoutIndexEntries = (path: string, key: { PK: string; SK: string }) =>
  open(path, async (store, table) => {
    const prefix = 'item-livedrop~';
    for await (const [, stored] of store.db.iterator({ gte: prefix, lt: `${prefix}\xff` })) {
      if (stored.PK?.S !== key.PK || stored.SK?.S !== key.SK) continue;
      const { deletes } = getIndexActions(table.GlobalSecondaryIndexes ?? [], stored, undefined, table);
      await store.db.batch(deletes.map((entry) => ({ type: 'del', key: indexKey(entry.index, entry.key) })));
      return deletes.length;
    }
    throw new Error(`no item ${key.PK} / ${key.SK}`);
  });
