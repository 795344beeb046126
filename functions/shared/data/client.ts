import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface ServiceEndpoint {
  /** Absent: the AWS default endpoint for the region. Set: any compatible endpoint (dynalite, the local bus). */
  endpoint?: string;
  region?: string;
}

export interface StoreEndpoint extends ServiceEndpoint {
  /**
   * Concurrent connections. A Lambda container serves one request at a time, so the SDK default (50) is
   * plenty there; the local runtime, tests and the benchmark serve many requests from one process.
   */
  maxSockets?: number;
  /**
   * How long a request may wait for the store on its connection (and to connect). Without it the SDK waits
   * up to its 5-minute socket default, so a hung store makes the function time out, which API Gateway answers
   * with a bare 500; with it the request fails as a TimeoutError, the SDK retries, and the handler answers
   * 503 with Retry-After in time. Time queued for a free socket does not count (the local runtime serves many
   * requests per client). Absent: the SDK defaults.
   */
  socketTimeoutMs?: number;
  /** Attempts per request, the first included (the SDK's retry policy). Absent: the SDK default. */
  maxAttempts?: number;
}

/**
 * Endpoint, region and credentials for any AWS client. A custom endpoint without AWS credentials in the
 * environment gets placeholder ones, since compatible local services ignore them but the SDK insists.
 */
export const clientLocation = ({ endpoint, region }: ServiceEndpoint) => ({
  ...(endpoint === undefined ? {} : { endpoint }),
  ...(region !== undefined ? { region } : endpoint !== undefined ? { region: 'us-east-1' } : {}),
  ...(endpoint !== undefined && process.env.AWS_ACCESS_KEY_ID === undefined
    ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
    : {}),
});

/** Creates the DynamoDB document client once per container. */
export const createDocumentClient = ({
  maxSockets,
  socketTimeoutMs,
  maxAttempts,
  ...location
}: StoreEndpoint): DynamoDBDocumentClient => {
  const requestHandler = {
    ...(maxSockets === undefined
      ? {}
      : {
          httpAgent: new HttpAgent({ keepAlive: true, maxSockets }),
          httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets }),
        }),
    ...(socketTimeoutMs === undefined
      ? {}
      : { socketTimeout: socketTimeoutMs, connectionTimeout: Math.min(socketTimeoutMs, 1_000) }),
  };
  const client = new DynamoDBClient({
    ...clientLocation(location),
    ...(maxAttempts === undefined ? {} : { maxAttempts }),
    ...(Object.keys(requestHandler).length === 0 ? {} : { requestHandler }),
  });
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true },
  });
};
