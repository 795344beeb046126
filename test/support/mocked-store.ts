import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { createStore } from '../../functions/shared/data/store.js';

export const MOCKED_TABLE = 'livedrop-test';

/**
 * The store on a mocked document client, for the few tests where the command's shape is the contract
 * (guards, return values, consistency, error mapping). The one place outside the harness that constructs
 * the store. `ddb` mocks every DynamoDBDocumentClient in the process: reset it before each test and restore
 * it after the file.
 */
export const mockedStore = () => {
  const ddb = mockClient(DynamoDBDocumentClient);
  const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
  return { ddb, store: createStore(client, MOCKED_TABLE) };
};

export type MockedStore = ReturnType<typeof mockedStore>['store'];
