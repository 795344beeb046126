import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  TransactGetCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { createStore } from '../../functions/shared/data/store.js';
import { defined, mapped, perTable, plainInput } from './plain-input.js';

export const MOCKED_TABLE = 'livedrop-test';

type DocCommand = abstract new (...args: never[]) => { input: unknown };
type Outcome = { resolves: object } | { rejects: unknown };

/** Each DynamoDB command the store may send, named by the document command a reader knows it by. */
const AS_DOCUMENT: Record<string, new (input: never) => { input: unknown }> = {
  PutItemCommand: PutCommand,
  UpdateItemCommand: UpdateCommand,
  DeleteItemCommand: DeleteCommand,
  GetItemCommand: GetCommand,
  QueryCommand: QueryCommand,
  ScanCommand: ScanCommand,
  BatchGetItemCommand: BatchGetCommand,
  BatchWriteItemCommand: BatchWriteCommand,
  TransactGetItemsCommand: TransactGetCommand,
  TransactWriteItemsCommand: TransactWriteCommand,
};

const wire = (item: unknown) => (item === undefined ? undefined : marshall(item as object));

/** A mocked answer given with plain values, as DynamoDB would send it. */
const wireOutput = (output: Record<string, unknown>) =>
  defined({
    ...output,
    Item: wire(output.Item),
    Attributes: wire(output.Attributes),
    Items: mapped(output.Items, wire),
    LastEvaluatedKey: wire(output.LastEvaluatedKey),
    Responses:
      output.Responses === undefined
        ? undefined
        : Object.fromEntries(
            Object.entries(output.Responses as Record<string, unknown[]>).map(([t, items]) => [
              t,
              items.map(wire),
            ]),
          ),
    UnprocessedKeys: perTable(output.UnprocessedKeys, (entry) =>
      defined({ ...entry, Keys: mapped(entry.Keys, wire) }),
    ),
  });

/**
 * The commands the store sends, answered without a network, in the manner of aws-sdk-client-mock (`on`,
 * `onAnyCommand`, `resolves`, `rejects`, the `Once` forms, `calls`, `reset`). The store sends DynamoDB's own
 * commands through a handler it resolves once per command class, not through `send`, so the answers come
 * from a middleware at the front of the client's stack; a recorded call is shown as the document command
 * with plain values, and a mocked answer is given with plain values.
 */
class MockedCommands {
  private readonly answers = new Map<DocCommand | 'any', { once: Outcome[]; always?: Outcome }>();
  private readonly sent: { args: [{ input: Record<string, unknown> }] }[] = [];

  private builder(command: DocCommand | 'any') {
    const answer = this.answers.get(command) ?? { once: [] };
    this.answers.set(command, answer);
    const builder = {
      resolves: (output: object) =>
        add(() => {
          answer.always = { resolves: output };
        }),
      rejects: (error: unknown) =>
        add(() => {
          answer.always = { rejects: error };
        }),
      resolvesOnce: (output: object) => add(() => answer.once.push({ resolves: output })),
      rejectsOnce: (error: unknown) => add(() => answer.once.push({ rejects: error })),
    };
    const add = (change: () => void) => {
      change();
      return builder;
    };
    return builder;
  }

  on(command: DocCommand) {
    return this.builder(command);
  }

  onAnyCommand() {
    return this.builder('any');
  }

  calls() {
    return this.sent;
  }

  reset() {
    this.answers.clear();
    this.sent.length = 0;
  }

  restore() {
    this.reset();
  }

  answer(commandName: string, input: Record<string, unknown>): { output: object } {
    const Document = AS_DOCUMENT[commandName];
    if (Document === undefined) throw new Error(`the mocked store has no document form of ${commandName}`);
    this.sent.push({
      args: [new Document(plainInput(input) as never) as { input: Record<string, unknown> }],
    });
    const answer = this.answers.get(Document) ?? this.answers.get('any');
    const outcome = answer?.once.shift() ?? answer?.always;
    if (outcome !== undefined && 'rejects' in outcome) throw outcome.rejects;
    const output = (outcome?.resolves ?? {}) as Record<string, unknown>;
    return { output: { $metadata: {}, ...wireOutput(output) } };
  }
}

/**
 * The store on a mocked client, for the few tests where the command's shape is the contract (guards, return
 * values, consistency, error mapping). The one place outside the harness that constructs the store. Reset
 * `ddb` before each test.
 */
export const mockedStore = () => {
  const ddb = new MockedCommands();
  const client = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      region: 'us-east-1',
      credentials: { accessKeyId: 'mocked', secretAccessKey: 'mocked' },
    }),
  );
  client.middlewareStack.add(
    (_next, context) => async (args) =>
      ddb.answer(context.commandName ?? '', args.input as Record<string, unknown>) as never,
    { step: 'initialize', name: 'mockedStore', priority: 'high' },
  );
  return { ddb, store: createStore(client, MOCKED_TABLE) };
};

export type MockedStore = ReturnType<typeof mockedStore>['store'];
