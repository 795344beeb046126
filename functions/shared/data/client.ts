import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface StoreEndpoint {
  /** Absent: the AWS default endpoint for the region. Set: any DynamoDB-compatible endpoint (dynalite, ...). */
  endpoint?: string;
  region?: string;
  /**
   * Concurrent connections. A Lambda container serves one request at a time, so the SDK default (50) is
   * plenty there; the local runtime, tests and the benchmark serve many requests from one process.
   */
  maxSockets?: number;
}

/**
 * Creates the DynamoDB document client once per container. A custom endpoint without AWS credentials in the
 * environment gets placeholder ones, since compatible local stores ignore them but the SDK insists.
 */
export const createDocumentClient = ({
  endpoint,
  region,
  maxSockets,
}: StoreEndpoint): DynamoDBDocumentClient => {
  const local = endpoint !== undefined && process.env.AWS_ACCESS_KEY_ID === undefined;
  const client = new DynamoDBClient({
    ...(endpoint === undefined ? {} : { endpoint }),
    ...(region !== undefined ? { region } : endpoint !== undefined ? { region: 'us-east-1' } : {}),
    ...(local ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
    ...(maxSockets === undefined
      ? {}
      : {
          requestHandler: {
            httpAgent: new HttpAgent({ keepAlive: true, maxSockets }),
            httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets }),
          },
        }),
  });
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true },
  });
};
