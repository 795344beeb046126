import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface StoreEndpoint {
  /** Absent: the AWS default endpoint for the region. Set: any DynamoDB-compatible endpoint (dynalite, ...). */
  endpoint?: string;
  region?: string;
}

/**
 * Creates the DynamoDB document client once per container. A custom endpoint without AWS credentials in the
 * environment gets placeholder ones, since compatible local stores ignore them but the SDK insists.
 */
export const createDocumentClient = ({ endpoint, region }: StoreEndpoint): DynamoDBDocumentClient => {
  const local = endpoint !== undefined && process.env.AWS_ACCESS_KEY_ID === undefined;
  const client = new DynamoDBClient({
    ...(endpoint === undefined ? {} : { endpoint }),
    ...(region !== undefined ? { region } : endpoint !== undefined ? { region: 'us-east-1' } : {}),
    ...(local ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
  });
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true },
  });
};
