import { type DynamoDBDocumentClient, paginateQuery, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
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
