import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';

/** The error of a conditional write whose condition did not hold (by class, or by name across SDK copies). */
export function isConditionFailure(error: unknown): boolean {
  return (
    error instanceof ConditionalCheckFailedException ||
    (error instanceof Error && error.name === 'ConditionalCheckFailedException')
  );
}

/** Runs a conditional write; `false` when its condition did not hold. */
export async function conditionally(write: () => Promise<unknown>): Promise<boolean> {
  try {
    await write();
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/** Puts `item` unless an item with its key exists; whether it did. */
export function putNewItem(
  client: DynamoDBDocumentClient,
  tableName: string,
  item: Record<string, unknown>,
): Promise<boolean> {
  return conditionally(() =>
    client.send(
      new PutCommand({ TableName: tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }),
    ),
  );
}

/** Days the records of a send (deliveries, tallies, enqueued pages) are kept; the issue's own item stays. */
export const SEND_RECORDS_RETENTION_DAYS = 90;

/** The `ttl` (epoch seconds) of an item written at `nowMs` and kept for `days`. */
export function expiresAfterDays(nowMs: number, days: number): number {
  return Math.floor(nowMs / 1000) + Math.round(days * 24 * 3600);
}
