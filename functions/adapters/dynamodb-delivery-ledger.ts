import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import {
  type BatchTally,
  batchTallySchema,
  type DeliveryRecord,
  deliveryRecordSchema,
} from '../core/sending/ledger.ts';
import type { ClaimOutcome, ClaimResult, DeliveryLedger, RecordedTally } from '../core/sending/ports.ts';
import { queryPartition, readItem } from './dynamodb-query.ts';
import {
  conditionally,
  expiresAfterDays,
  isConditionFailure,
  putNewItem,
  SEND_RECORDS_RETENTION_DAYS,
} from './dynamodb-writes.ts';

const recordedTallySchema = batchTallySchema.extend({ recordedAt: z.number().default(0) });

/**
 * The delivery ledger in the `deliveries` table (pk/sk + TTL `ttl`):
 *
 *   delivery  pk DELIVERY#<issueId>#<recipientKey>  sk DELIVERY   one per (issue, recipient)
 *   tally     pk TALLY#<issueId>                    sk <batchId>  one per queue message, once final
 *
 * Each delivery has a partition of its own, so a fast send never concentrates writes on one key.
 * Every state change is a single conditional write (see core/sending/ledger.ts); records expire
 * after `retentionDays` (queue redeliveries and re-triggers happen within hours; an issue's record in
 * the issues table, which never expires, stops re-sends after that).
 */
export const DELIVERY_SK = 'DELIVERY';

export function deliveryKey(issueId: string, recipientKey: string) {
  return { pk: `DELIVERY#${issueId}#${recipientKey}`, sk: DELIVERY_SK };
}

export function tallyPartition(issueId: string): string {
  return `TALLY#${issueId}`;
}

function toRecord(item: Record<string, unknown>): DeliveryRecord {
  return deliveryRecordSchema.parse({
    issueId: item.issueId,
    recipientKey: item.recipientKey,
    status: item.status,
    claimId: item.claimId,
    claimedAt: item.claimedAt,
    attempts: item.attempts ?? 0,
    messageId: item.messageId ?? null,
    reason: item.reason ?? null,
    updatedAt: item.updatedAt ?? item.claimedAt,
  });
}

export class DynamoDbDeliveryLedger implements DeliveryLedger {
  public constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly retentionDays = SEND_RECORDS_RETENTION_DAYS,
  ) {}

  public async claim(
    issueId: string,
    recipientKey: string,
    claimId: string,
    nowMs: number,
  ): Promise<ClaimResult> {
    for (let round = 0; round < 3; round++) {
      try {
        await this.db.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: deliveryKey(issueId, recipientKey),
            UpdateExpression:
              'SET issueId = :issueId, recipientKey = :key, #status = :sending, claimId = :claimId, claimedAt = :now, updatedAt = :now, #ttl = :ttl ADD attempts :one',
            ConditionExpression: 'attribute_not_exists(pk) OR #status = :released',
            ExpressionAttributeNames: { '#status': 'status', '#ttl': 'ttl' },
            ExpressionAttributeValues: {
              ':issueId': issueId,
              ':key': recipientKey,
              ':sending': 'sending',
              ':released': 'released',
              ':claimId': claimId,
              ':now': nowMs,
              ':ttl': expiresAfterDays(nowMs, this.retentionDays),
              ':one': 1,
            },
          }),
        );
        return { claimed: true };
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
      const existing = await this.get(issueId, recipientKey);
      // Our own write, retried by the SDK after its answer was lost: the claim is ours.
      if (existing?.claimId === claimId && existing.status === 'sending') return { claimed: true };
      if (existing) return { claimed: false, existing };
      // Expired between the two reads: claim again.
    }
    throw new Error(`could not claim ${recipientKey} of ${issueId}`);
  }

  public async settle(
    issueId: string,
    recipientKey: string,
    claimId: string,
    outcome: ClaimOutcome,
    nowMs: number,
  ): Promise<boolean> {
    const detail =
      outcome.status === 'sent'
        ? { expression: 'messageId = :detail', value: outcome.messageId }
        : { expression: 'reason = :detail', value: outcome.reason.slice(0, 500) };
    const key = deliveryKey(issueId, recipientKey);
    if (await this.finishClaim(key, claimId, outcome.status, nowMs, detail)) return true;
    // A settle retried by the SDK after its answer was lost finds its own result.
    const record = await this.get(issueId, recipientKey);
    return record?.claimId === claimId && record.status === outcome.status;
  }

  public markUnknown(
    issueId: string,
    recipientKey: string,
    staleClaimId: string,
    nowMs: number,
  ): Promise<boolean> {
    return this.finishClaim(deliveryKey(issueId, recipientKey), staleClaimId, 'unknown', nowMs, {
      expression: 'reason = :detail',
      value: 'send started and never recorded; not re-sent',
    });
  }

  /** Moves a delivery still `sending` under `claimId` to `status`, setting `detail` too; false if it is not. */
  private finishClaim(
    key: ReturnType<typeof deliveryKey>,
    claimId: string,
    status: DeliveryRecord['status'],
    nowMs: number,
    detail: { expression: string; value: string },
  ): Promise<boolean> {
    return conditionally(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key,
          UpdateExpression: `SET #status = :to, updatedAt = :now, ${detail.expression}`,
          ConditionExpression: 'claimId = :claimId AND #status = :sending',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':to': status,
            ':now': nowMs,
            ':detail': detail.value,
            ':claimId': claimId,
            ':sending': 'sending',
          },
        }),
      ),
    );
  }

  public async get(issueId: string, recipientKey: string): Promise<DeliveryRecord | null> {
    const item = await readItem(this.db, this.tableName, deliveryKey(issueId, recipientKey));
    return item ? toRecord(item) : null;
  }

  public recordTally(issueId: string, tally: BatchTally, nowMs: number): Promise<boolean> {
    return putNewItem(this.db, this.tableName, {
      pk: tallyPartition(issueId),
      sk: tally.batchId,
      ...tally,
      recordedAt: nowMs,
      ttl: expiresAfterDays(nowMs, this.retentionDays),
    });
  }

  public tallies(issueId: string): Promise<RecordedTally[]> {
    return queryPartition(
      this.db,
      { TableName: this.tableName, pk: tallyPartition(issueId) },
      recordedTallySchema,
    );
  }
}
