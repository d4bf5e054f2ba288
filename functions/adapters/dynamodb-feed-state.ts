import {
  BatchGetCommand,
  DeleteCommand,
  type DynamoDBDocumentClient,
  PutCommand,
} from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { keyHash } from '../core/feeds/dedupe.ts';
import type { FeedState, FeedStateStore } from '../core/feeds/ports.ts';
import { putNewItem } from './dynamodb-writes.ts';

/**
 * Feed ingestion's items in the `issues` table, under partition keys that start with `FEED` (the
 * ingest function's IAM policy allows only those):
 *
 *   source state  pk FEED#<sourceId>        sk STATE  etag, lastModified, lastFetchAt, lastStatus, …
 *   article taken pk FEEDKEY#<sha256(key)>  sk KEY    key, sourceId, file, takenAt
 *
 * An article is taken by a conditional put per key (GUID, canonical URL), so two feeds carrying one
 * article, or two runs at once, write it once.
 */
export const FEED_PK_PREFIX = 'FEED';
const STATE_SK = 'STATE';
const KEY_SK = 'KEY';
const BATCH_GET_LIMIT = 100;

const stateSchema = z.object({
  sourceId: z.string(),
  etag: z.string().nullable().default(null),
  lastModified: z.string().nullable().default(null),
  lastFetchAt: z.string().nullable().default(null),
  lastStatus: z.enum(['ok', 'not-modified', 'failed']).nullable().default(null),
  newEntries: z.number().default(0),
  lastError: z.string().nullable().default(null),
  consecutiveFailures: z.number().default(0),
  lastSuccessAt: z.string().nullable().default(null),
  problems: z.array(z.string()).default([]),
});

const statePk = (sourceId: string) => `${FEED_PK_PREFIX}#${sourceId}`;
const keyPk = (key: string) => `${FEED_PK_PREFIX}KEY#${keyHash(key)}`;

export class DynamoDbFeedStateStore implements FeedStateStore {
  public constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  public async states(sourceIds: readonly string[]): Promise<Map<string, FeedState>> {
    const items = await this.batchGet(sourceIds.map((id) => ({ pk: statePk(id), sk: STATE_SK })));
    const states = new Map<string, FeedState>();
    for (const item of items) {
      const state = stateSchema.parse(item);
      states.set(state.sourceId, state);
    }
    return states;
  }

  public async saveState(state: FeedState): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { pk: statePk(state.sourceId), sk: STATE_SK, ...state },
      }),
    );
  }

  public async seen(keys: readonly string[]): Promise<ReadonlySet<string>> {
    const unique = [...new Set(keys)];
    const items = await this.batchGet(unique.map((key) => ({ pk: keyPk(key), sk: KEY_SK })));
    return new Set(items.map((item) => String(item.key)));
  }

  public async claim(keys: readonly string[], record: { sourceId: string; file: string }): Promise<boolean> {
    const taken: string[] = [];
    for (const key of keys) {
      const ok = await putNewItem(this.db, this.tableName, {
        pk: keyPk(key),
        sk: KEY_SK,
        key,
        ...record,
        takenAt: new Date().toISOString(),
      });
      if (!ok) {
        await this.release(taken);
        return false;
      }
      taken.push(key);
    }
    return true;
  }

  public async release(keys: readonly string[]): Promise<void> {
    for (const key of keys)
      await this.db.send(
        new DeleteCommand({ TableName: this.tableName, Key: { pk: keyPk(key), sk: KEY_SK } }),
      );
  }

  private async batchGet(keys: { pk: string; sk: string }[]): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    for (let i = 0; i < keys.length; i += BATCH_GET_LIMIT) {
      let request: Record<string, { Keys: Record<string, unknown>[]; ConsistentRead: boolean }> | undefined =
        {
          [this.tableName]: { Keys: keys.slice(i, i + BATCH_GET_LIMIT), ConsistentRead: true },
        };
      while (request && Object.keys(request).length > 0) {
        const result = await this.db.send(new BatchGetCommand({ RequestItems: request }));
        items.push(...(result.Responses?.[this.tableName] ?? []));
        request = result.UnprocessedKeys as typeof request;
      }
    }
    return items;
  }
}
