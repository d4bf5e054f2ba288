import { BatchGetCommand, BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mapConcurrently } from '../core/concurrency.ts';
import { backoff } from './dynamodb-subscriber-items.ts';

/** BatchWriteItem takes 25 requests, BatchGetItem 100 keys; what DynamoDB leaves unprocessed is retried. */
const WRITE_BATCH = 25;
const GET_BATCH = 100;
const MAX_ROUNDS = 10;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Puts every item (unconditionally: only for items nobody else can be writing). */
export async function batchPut(
  client: DynamoDBDocumentClient,
  table: string,
  items: readonly Record<string, unknown>[],
  parallelism = 4,
): Promise<void> {
  await mapConcurrently(chunks(items, WRITE_BATCH), parallelism, async (chunk) => {
    let requests = chunk.map((Item) => ({ PutRequest: { Item } }));
    for (let round = 0; requests.length > 0; round++) {
      if (round >= MAX_ROUNDS) throw new Error(`DynamoDB left ${requests.length} writes unprocessed`);
      if (round > 0) await backoff(round);
      const result = await client.send(new BatchWriteCommand({ RequestItems: { [table]: requests } }));
      requests = (result.UnprocessedItems?.[table] ?? []).flatMap((r) =>
        r.PutRequest?.Item ? [{ PutRequest: { Item: r.PutRequest.Item } }] : [],
      );
    }
  });
}

/** Every item found under `keys` (consistent reads), in no particular order. */
export async function batchGet(
  client: DynamoDBDocumentClient,
  table: string,
  keys: readonly Record<string, unknown>[],
  parallelism = 4,
): Promise<Record<string, unknown>[]> {
  const found: Record<string, unknown>[] = [];
  await mapConcurrently(chunks(keys, GET_BATCH), parallelism, async (chunk) => {
    let pending: Record<string, unknown>[] = chunk;
    for (let round = 0; pending.length > 0; round++) {
      if (round >= MAX_ROUNDS) throw new Error(`DynamoDB left ${pending.length} reads unprocessed`);
      if (round > 0) await backoff(round);
      const result = await client.send(
        new BatchGetCommand({ RequestItems: { [table]: { Keys: pending, ConsistentRead: true } } }),
      );
      found.push(...(result.Responses?.[table] ?? []));
      pending = result.UnprocessedKeys?.[table]?.Keys ?? [];
    }
  });
  return found;
}
