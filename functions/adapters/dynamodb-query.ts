import {
  type DynamoDBDocumentClient,
  GetCommand,
  paginateQuery,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type * as z from 'zod';

/** Every item a query matches, across all its pages (the SDK's paginator), each parsed by `schema`. */
export async function queryAll<S extends z.ZodType>(
  client: DynamoDBDocumentClient,
  input: Omit<QueryCommandInput, 'ExclusiveStartKey'>,
  schema: S,
): Promise<z.infer<S>[]> {
  const items: z.infer<S>[] = [];
  for await (const page of paginateQuery({ client }, input)) {
    for (const item of page.Items ?? []) items.push(schema.parse(item));
  }
  return items;
}

/** Every item of the partition `pk` (in sort-key order, or reversed), each parsed by `schema`. */
export function queryPartition<S extends z.ZodType>(
  client: DynamoDBDocumentClient,
  input: { TableName: string; pk: string } & Pick<QueryCommandInput, 'ConsistentRead' | 'ScanIndexForward'>,
  schema: S,
): Promise<z.infer<S>[]> {
  const { pk, ...rest } = input;
  return queryAll(
    client,
    { ...rest, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': pk } },
    schema,
  );
}

/** The item at `key`, read consistently (after every write that succeeded); undefined when there is none. */
export async function readItem(
  client: DynamoDBDocumentClient,
  tableName: string,
  key: Record<string, unknown>,
): Promise<Record<string, unknown> | undefined> {
  return (await client.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }))).Item;
}
