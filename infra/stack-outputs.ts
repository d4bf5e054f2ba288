/**
 * The CloudFormation outputs the CLI reads to reach a deployed Broadsheet (`broadsheet … --stack
 * NAME`), by the stack that outputs them. No CDK imports: the CLI loads this file.
 */
export const STATEFUL_OUTPUTS = {
  subscribersTable: 'SubscribersTableName',
  issuesTable: 'IssuesTableName',
  deliveriesTable: 'DeliveriesTableName',
  contentBucket: 'ContentBucketName',
  issuesBucket: 'IssuesBucketName',
  tokenSecretArn: 'TokenSecretArn',
} as const;

export const STATELESS_OUTPUTS = {
  apiUrl: 'ApiUrl',
  region: 'Region',
} as const;

/** `<prefix>Stateful` and `<prefix>Stateless`, as infra/broadsheet-app.ts names them. */
export const stackNames = (prefix: string) => ({
  stateful: `${prefix}Stateful`,
  stateless: `${prefix}Stateless`,
});
