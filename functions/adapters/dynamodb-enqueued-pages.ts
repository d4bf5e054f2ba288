import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { recipientBatchSchema } from '../core/sending/fan-out.ts';
import type { EnqueuedPage, EnqueuedPages } from '../core/sending/ports.ts';
import { queryPartition, readItem } from './dynamodb-query.ts';
import { expiresAfterDays, putNewItem, SEND_RECORDS_RETENTION_DAYS } from './dynamodb-writes.ts';

/**
 * The pages of an issue's recipients as enqueued, in the `deliveries` table next to the ledger (same
 * retention):
 *
 *   page  pk PAGE#<issueId>  sk <pageIndex, 6 digits>   recipients, nextCursor
 *
 * 500 recipients a page (~15–30 KB), written once, before its queue messages.
 */
export function pagePartition(issueId: string): string {
  return `PAGE#${issueId}`;
}

const pageSchema = z.object({
  pageIndex: z.number().int().nonnegative(),
  recipients: recipientBatchSchema.shape.recipients.element.array(),
  nextCursor: z.string().nullable(),
});

function pageKey(issueId: string, pageIndex: number) {
  return { pk: pagePartition(issueId), sk: String(pageIndex).padStart(6, '0') };
}

export class DynamoDbEnqueuedPages implements EnqueuedPages {
  public constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly retentionDays = SEND_RECORDS_RETENTION_DAYS,
  ) {}

  public async putIfAbsent(issueId: string, page: EnqueuedPage, nowMs: number): Promise<EnqueuedPage> {
    const put = await putNewItem(this.db, this.tableName, {
      ...pageKey(issueId, page.pageIndex),
      ...page,
      ttl: expiresAfterDays(nowMs, this.retentionDays),
    });
    if (put) return page;
    const existing = await readItem(this.db, this.tableName, pageKey(issueId, page.pageIndex));
    if (!existing) throw new Error(`page ${page.pageIndex} of ${issueId} is recorded and is not`);
    return pageSchema.parse(existing);
  }

  public list(issueId: string): Promise<EnqueuedPage[]> {
    return queryPartition(
      this.db,
      { TableName: this.tableName, pk: pagePartition(issueId), ConsistentRead: true },
      pageSchema,
    );
  }
}
