import { randomBytes } from 'node:crypto';
import {
  BatchGetCommand,
  DeleteCommand,
  type DynamoDBDocumentClient,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { mapConcurrently } from '../core/concurrency.ts';
import type { DeliveryErasure, LedgerAnonymisation } from '../core/subscribers/erasure.ts';
import { deliveryKey, tallyPartition } from './dynamodb-delivery-ledger.ts';
import { RECENT_PK } from './dynamodb-issue-items.ts';
import { queryAll, queryPartition } from './dynamodb-query.ts';

const issuePointerSchema = z.object({ issueId: z.string() });
const deliveryItemSchema = z.looseObject({ pk: z.string(), sk: z.string(), recipientKey: z.string() });
const tallyItemSchema = z.object({
  pk: z.string(),
  sk: z.string(),
  unknownKeys: z.array(z.string()).default([]),
  rejectedKeys: z.array(z.string()).default([]),
});
const ISSUES_AT_ONCE = 8;

function strike(text: unknown, email: string): unknown {
  if (typeof text !== 'string') return text;
  const escaped = email.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return text.replace(new RegExp(escaped, 'gi'), '[erased]');
}

/**
 * Anonymises one person's rows of the delivery ledger (see dynamodb-delivery-ledger.ts). The ledger
 * has no index by recipient, so it looks in every issue the issues table lists (its RECENT pointers)
 * with one BatchGet per issue. Each row found is copied under `erased:<random>` (status, attempts
 * and times kept for the issue's history; message and claim ids dropped; the address struck from the reason),
 * then the original is deleted; the keys in the issue's tallies are replaced too. Running it again
 * finds nothing left to do.
 */
export class DynamoDeliveryErasure implements DeliveryErasure {
  public constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly issuesTable: string,
    private readonly deliveriesTable: string,
  ) {}

  public async anonymise(recipientKeys: readonly string[], email: string): Promise<LedgerAnonymisation> {
    const pointers = await queryPartition(
      this.db,
      { TableName: this.issuesTable, pk: RECENT_PK },
      issuePointerSchema,
    );
    const issueIds = [...new Set(pointers.map((p) => p.issueId))];
    const perIssue = await mapConcurrently(issueIds, ISSUES_AT_ONCE, (id) =>
      this.anonymiseIssue(id, recipientKeys, email),
    );
    return {
      issuesSearched: issueIds.length,
      rows: perIssue.reduce((sum, issue) => sum + issue.rows, 0),
      tallies: perIssue.reduce((sum, issue) => sum + issue.tallies, 0),
    };
  }

  private async anonymiseIssue(
    issueId: string,
    recipientKeys: readonly string[],
    email: string,
  ): Promise<{ rows: number; tallies: number }> {
    const { Responses } = await this.db.send(
      new BatchGetCommand({
        RequestItems: {
          [this.deliveriesTable]: {
            Keys: recipientKeys.map((key) => deliveryKey(issueId, key)),
            ConsistentRead: true,
          },
        },
      }),
    );
    const replaced = new Map<string, string>();
    for (const raw of Responses?.[this.deliveriesTable] ?? []) {
      const row = deliveryItemSchema.parse(raw);
      const anonymous = `erased:${randomBytes(8).toString('hex')}`;
      const { messageId: _messageId, ...kept } = row;
      await this.db.send(
        new PutCommand({
          TableName: this.deliveriesTable,
          Item: {
            ...kept,
            ...deliveryKey(issueId, anonymous),
            recipientKey: anonymous,
            claimId: anonymous,
            reason: strike(row.reason ?? null, email),
            messageId: null,
          },
        }),
      );
      await this.db.send(
        new DeleteCommand({ TableName: this.deliveriesTable, Key: { pk: row.pk, sk: row.sk } }),
      );
      replaced.set(row.recipientKey, anonymous);
    }
    return { rows: replaced.size, tallies: await this.anonymiseTallies(issueId, recipientKeys, replaced) };
  }

  private async anonymiseTallies(
    issueId: string,
    recipientKeys: readonly string[],
    replaced: ReadonlyMap<string, string>,
  ): Promise<number> {
    const tallies = await queryAll(
      this.db,
      {
        TableName: this.deliveriesTable,
        KeyConditionExpression: 'pk = :pk',
        FilterExpression: recipientKeys
          .map((_, i) => `contains(unknownKeys, :k${i}) OR contains(rejectedKeys, :k${i})`)
          .join(' OR '),
        ExpressionAttributeValues: {
          ':pk': tallyPartition(issueId),
          ...Object.fromEntries(recipientKeys.map((key, i) => [`:k${i}`, key])),
        },
        ConsistentRead: true,
      },
      tallyItemSchema,
    );
    const swap = (key: string) => (recipientKeys.includes(key) ? (replaced.get(key) ?? 'erased') : key);
    let changed = 0;
    for (const tally of tallies) {
      if (![...tally.unknownKeys, ...tally.rejectedKeys].some((key) => recipientKeys.includes(key))) continue;
      await this.db.send(
        new UpdateCommand({
          TableName: this.deliveriesTable,
          Key: { pk: tally.pk, sk: tally.sk },
          UpdateExpression: 'SET unknownKeys = :unknown, rejectedKeys = :rejected',
          ExpressionAttributeValues: {
            ':unknown': tally.unknownKeys.map(swap),
            ':rejected': tally.rejectedKeys.map(swap),
          },
        }),
      );
      changed += 1;
    }
    return changed;
  }
}
