import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import type { ErasedAddress, ErasedAddresses } from '../core/subscribers/erasure.ts';
import { queryPartition } from './dynamodb-query.ts';

/**
 * Erased addresses in the subscribers table, one item per keyed hash (see core/subscribers/erasure.ts):
 *
 *   erased  pk=ERASED  sk=<hash>  keyId, erasedAt     (no TTL: kept while the list is used)
 *
 * One partition: erasures are rare, and an import reads them all at once instead of once per row.
 */
export const ERASED_PK = 'ERASED';

const erasedItemSchema = z.object({ sk: z.string(), keyId: z.string(), erasedAt: z.string() });

export class DynamoErasedAddresses implements ErasedAddresses {
  public constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  public async record(entry: ErasedAddress): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.table,
        Item: { pk: ERASED_PK, sk: entry.hash, type: 'erased', keyId: entry.keyId, erasedAt: entry.erasedAt },
      }),
    );
  }

  public async list(): Promise<ErasedAddress[]> {
    const items = await queryPartition(
      this.client,
      { TableName: this.table, pk: ERASED_PK, ConsistentRead: true },
      erasedItemSchema,
    );
    return items.map((item) => ({ hash: item.sk, keyId: item.keyId, erasedAt: item.erasedAt }));
  }
}
