import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  type DynamoDBDocumentClient,
  GetCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  CHART_HOURS,
  type EngagementCounters,
  type EngagementEvent,
  type EngagementKind,
  type EngagementLedger,
  emptyEngagement,
  type FlagResult,
  type Increments,
  type IssueEngagement,
} from '../core/tracking/engagement.ts';
import { deliveryKey } from './dynamodb-delivery-ledger.ts';
import { isConditionFailure } from './dynamodb-writes.ts';

/**
 * Engagement in the two tables the sender already writes:
 *
 *   deliveries  DELIVERY#<issueId>#<recipientKey> / DELIVERY   first-time flags (`openedAt`, `clickedAt`,
 *               `deliveredAt`, `bouncedAt`, `complainedAt`, `unsubscribedAt`) and the set `clickedLinks`
 *   issues      ISSUE#<issueId> / ENGAGEMENT                     the issue's counters (`link_<i>`,
 *               `openHour_<h>`, `clickHour_<h>` for the per-link and per-hour ones)
 *
 * A flag is set with `if_not_exists` and the old record returned, in one update that needs the record
 * to exist: concurrent clicks of one reader see one "first". Counters are one `ADD` update.
 */
export const ENGAGEMENT_SK = 'ENGAGEMENT';

const FLAG: Record<EngagementKind, string> = {
  delivery: 'deliveredAt',
  bounce: 'bouncedAt',
  complaint: 'complainedAt',
  open: 'openedAt',
  click: 'clickedAt',
  unsubscribe: 'unsubscribedAt',
};

const SCALARS = [
  'delivered',
  'bounced',
  'complained',
  'opens',
  'clicks',
  'uniqueOpens',
  'uniqueClicks',
  'unsubscribed',
] as const;

export function engagementKey(issueId: string) {
  return { pk: `ISSUE#${issueId}`, sk: ENGAGEMENT_SK };
}

function attributeName(counter: string): string {
  const match = /^(link|openHour|clickHour):(\d{1,5})$/.exec(counter);
  if (match) return `${match[1]}_${match[2]}`;
  if ((SCALARS as readonly string[]).includes(counter)) return counter;
  throw new TypeError(`unknown engagement counter "${counter}"`);
}

function numberAt(item: Record<string, unknown>, name: string): number {
  const value = item[name];
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

export function engagementFromItem(item: Record<string, unknown> | undefined): IssueEngagement {
  const engagement = emptyEngagement();
  if (item === undefined) return engagement;
  for (const name of SCALARS) engagement[name] = numberAt(item, name);
  for (const [name, value] of Object.entries(item)) {
    const match = /^(link|openHour|clickHour)_(\d{1,5})$/.exec(name);
    if (!match || typeof value !== 'number') continue;
    const index = Number(match[2]);
    if (match[1] === 'link') {
      while (engagement.linkClicks.length <= index) engagement.linkClicks.push(0);
      engagement.linkClicks[index] = value;
    } else if (index < CHART_HOURS) {
      (match[1] === 'openHour' ? engagement.opensByHour : engagement.clicksByHour)[index] = value;
    }
  }
  return engagement;
}

export class DynamoDbEngagement implements EngagementLedger, EngagementCounters {
  public constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tables: { deliveries: string; issues: string },
  ) {}

  public async flag(event: EngagementEvent): Promise<FlagResult> {
    const link = event.kind === 'click' ? event.link : undefined;
    try {
      const result = await this.db.send(
        new UpdateCommand({
          TableName: this.tables.deliveries,
          Key: deliveryKey(event.issueId, event.recipientKey),
          UpdateExpression: `SET #flag = if_not_exists(#flag, :at)${link === undefined ? '' : ' ADD clickedLinks :link'}`,
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#flag': FLAG[event.kind] },
          ExpressionAttributeValues: {
            ':at': event.at.toISOString(),
            ...(link === undefined ? {} : { ':link': new Set([link]) }),
          },
          ReturnValues: 'ALL_OLD',
        }),
      );
      const old = result.Attributes ?? {};
      const clicked = old.clickedLinks;
      return {
        known: true,
        first: old[FLAG[event.kind]] === undefined,
        firstForLink: link !== undefined && !(clicked instanceof Set && clicked.has(link)),
      };
    } catch (error) {
      if (isConditionFailure(error)) return { known: false };
      throw error;
    }
  }

  public async add(issueId: string, increments: Increments): Promise<void> {
    const entries = Object.entries(increments);
    if (entries.length === 0) return;
    const names: Record<string, string> = {};
    const values: Record<string, number> = {};
    const parts = entries.map(([counter, amount], i) => {
      names[`#c${i}`] = attributeName(counter);
      values[`:c${i}`] = amount;
      return `#c${i} :c${i}`;
    });
    await this.db.send(
      new UpdateCommand({
        TableName: this.tables.issues,
        Key: engagementKey(issueId),
        UpdateExpression: `ADD ${parts.join(', ')}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
  }

  public async read(issueId: string): Promise<IssueEngagement> {
    const result = await this.db.send(
      new GetCommand({ TableName: this.tables.issues, Key: engagementKey(issueId) }),
    );
    return engagementFromItem(result.Item);
  }

  /** Several issues' counters in one BatchGet (up to 100 issues; more are read in further calls). */
  public async readMany(issueIds: readonly string[]): Promise<Map<string, IssueEngagement>> {
    const out = new Map<string, IssueEngagement>(issueIds.map((id) => [id, emptyEngagement()]));
    for (let start = 0; start < issueIds.length; start += 100) {
      let keys: Record<string, unknown>[] | undefined = issueIds.slice(start, start + 100).map(engagementKey);
      for (let round = 0; keys !== undefined && keys.length > 0 && round < 5; round++) {
        const result: BatchGetCommandOutput = await this.db.send(
          new BatchGetCommand({ RequestItems: { [this.tables.issues]: { Keys: keys } } }),
        );
        for (const item of result.Responses?.[this.tables.issues] ?? []) {
          const id = typeof item.pk === 'string' ? item.pk.slice('ISSUE#'.length) : '';
          out.set(id, engagementFromItem(item));
        }
        keys = result.UnprocessedKeys?.[this.tables.issues]?.Keys;
      }
    }
    return out;
  }
}
