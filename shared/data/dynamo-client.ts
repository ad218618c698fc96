import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * How long a DynamoDB request may take before it is abandoned (and sent again
 * by the SDK's retries). Without it a connection that never answers holds the
 * function until its own timeout; the SDK's default socket timeout is minutes.
 */
export const DYNAMODB_TIMEOUTS = { connectionTimeout: 3_000, requestTimeout: 5_000, throwOnRequestTimeout: true } as const;

/**
 * The document client every handler uses. Endpoint and credentials come from
 * the standard SDK settings (`AWS_ENDPOINT_URL_DYNAMODB` in the local twin).
 */
export function createDocumentClient(config: DynamoDBClientConfig = {}): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient({ requestHandler: DYNAMODB_TIMEOUTS, ...config }), {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
    unmarshallOptions: { wrapNumbers: false },
  });
}
