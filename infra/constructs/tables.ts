import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import { GSI1, TABLES, type TableDesign, TTL_ATTRIBUTE } from '../../functions/adapters/dynamodb-tables.ts';

export type BroadsheetTables = Record<TableDesign['envVar'], Table>;

/** One table per design, keyed by the variable that names it to the functions. */
export function broadsheetTables(scope: Construct): BroadsheetTables {
  return Object.fromEntries(
    TABLES.map((design) => [design.envVar, table(scope, design)]),
  ) as BroadsheetTables;
}

/** On-demand, encrypted, point-in-time recovery, retained and protected from deletion. */
function table(scope: Construct, design: TableDesign): Table {
  const created = new Table(
    scope,
    `${design.logicalName[0]?.toUpperCase()}${design.logicalName.slice(1)}Table`,
    {
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      sortKey: { name: 'sk', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      ...(design.ttl ? { timeToLiveAttribute: TTL_ATTRIBUTE } : {}),
    },
  );
  if (design.gsi1) {
    created.addGlobalSecondaryIndex({
      indexName: GSI1,
      partitionKey: { name: 'gsi1pk', type: AttributeType.STRING },
      sortKey: { name: 'gsi1sk', type: AttributeType.STRING },
    });
  }
  return created;
}
