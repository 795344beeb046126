declare module 'dynalite' {
  import type { Server } from 'node:http';

  interface DynaliteOptions {
    path?: string;
    createTableMs?: number;
    deleteTableMs?: number;
    updateTableMs?: number;
    maxItemSizeKb?: number;
  }

  export default function dynalite(options?: DynaliteOptions): Server;
}

/** dynalite's storage layer: LevelDB sub-databases by key prefix, and the key functions its actions use. */
declare module 'dynalite/db/index.js' {
  export interface DynaliteIndex {
    IndexName: string;
    KeySchema: { AttributeName: string; KeyType: 'HASH' | 'RANGE' }[];
    Projection: { ProjectionType: string; NonKeyAttributes?: string[] };
  }

  export interface DynaliteTable {
    TableName: string;
    GlobalSecondaryIndexes?: DynaliteIndex[];
    LocalSecondaryIndexes?: DynaliteIndex[];
  }

  /** A stored item: attribute name -> DynamoDB attribute value ({ S: '...' }, { N: '...' }, ...). */
  export type DynaliteItem = Record<string, Record<string, unknown>>;

  export interface IndexAction {
    index: string;
    key: string;
    item: DynaliteItem;
  }

  export interface LevelBatchOperation {
    type: 'put' | 'del';
    key: string;
    value?: unknown;
  }

  /** The classic-level database underneath (JSON values), as dynalite wraps it. */
  export interface LevelDatabase {
    keys(options: { gte: string; lt: string }): AsyncIterable<string>;
    iterator(options: { gte: string; lt: string }): AsyncIterable<[string, DynaliteItem]>;
    batch(operations: LevelBatchOperation[]): Promise<void>;
    close(): Promise<void>;
  }

  export interface DynaliteStore {
    db: LevelDatabase;
    getTable(
      name: string,
      callback: (error: (Error & { name: string }) | null, table?: DynaliteTable) => void,
    ): void;
  }

  export function create(options: { path?: string }): DynaliteStore;
  export function getIndexActions(
    indexes: DynaliteIndex[],
    existingItem: DynaliteItem | undefined | null,
    item: DynaliteItem | undefined | null,
    table: DynaliteTable,
  ): { puts: IndexAction[]; deletes: { index: string; key: string }[] };
}
