/**
 * Key design of every DynamoDB table, shared by the CDK stack, the local runtime (which creates the
 * tables in the emulator) and the tests, so the three can never disagree.
 * Every table: partition key `pk` (S), sort key `sk` (S), optional GSI `gsi1` (`gsi1pk`/`gsi1sk`, S),
 * TTL attribute `ttl` (epoch seconds).
 */
export interface TableDesign {
  /** Logical name; the physical name comes from the environment (see functions/config.ts). */
  logicalName: 'subscribers' | 'issues' | 'deliveries';
  envVar: 'SUBSCRIBERS_TABLE' | 'ISSUES_TABLE' | 'DELIVERIES_TABLE';
  gsi1: boolean;
  /** Whether items expire through the `ttl` attribute. */
  ttl: boolean;
}

export const TTL_ATTRIBUTE = 'ttl';
export const GSI1 = 'gsi1';

export const TABLES: readonly TableDesign[] = [
  { logicalName: 'subscribers', envVar: 'SUBSCRIBERS_TABLE', gsi1: true, ttl: true },
  { logicalName: 'issues', envVar: 'ISSUES_TABLE', gsi1: true, ttl: false },
  { logicalName: 'deliveries', envVar: 'DELIVERIES_TABLE', gsi1: false, ttl: true },
];

/** CreateTable input for a design (on-demand billing), used by the local runtime and tests. */
export function createTableInput(design: TableDesign, tableName: string) {
  const attributes = [
    { AttributeName: 'pk', AttributeType: 'S' as const },
    { AttributeName: 'sk', AttributeType: 'S' as const },
    ...(design.gsi1
      ? [
          { AttributeName: 'gsi1pk', AttributeType: 'S' as const },
          { AttributeName: 'gsi1sk', AttributeType: 'S' as const },
        ]
      : []),
  ];
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST' as const,
    AttributeDefinitions: attributes,
    KeySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' as const },
      { AttributeName: 'sk', KeyType: 'RANGE' as const },
    ],
    ...(design.gsi1
      ? {
          GlobalSecondaryIndexes: [
            {
              IndexName: GSI1,
              KeySchema: [
                { AttributeName: 'gsi1pk', KeyType: 'HASH' as const },
                { AttributeName: 'gsi1sk', KeyType: 'RANGE' as const },
              ],
              Projection: { ProjectionType: 'ALL' as const },
            },
          ],
        }
      : {}),
  };
}
