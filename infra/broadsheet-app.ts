import path from 'node:path';
import { type App, Aspects } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ConfigError } from '../functions/core/errors.ts';
import { PROJECT_ROOT } from './bundling.ts';
import { loadDigestSchedules, loadSite } from './digest-schedules.ts';
import { isOnDomain, readSettings } from './settings.ts';
import { stackNames } from './stack-outputs.ts';
import { StatefulStack } from './stacks/stateful-stack.ts';
import { StatelessStack } from './stacks/stateless-stack.ts';

export interface BroadsheetStacks {
  stateful: StatefulStack;
  stateless: StatelessStack;
}

/**
 * Both stacks of a Broadsheet deployment on an app, checked by cdk-nag's AwsSolutions rules. Settings
 * come from the app's context; digests and their schedules from `contentDir` (default `content/`).
 */
export function addBroadsheet(app: App, options: { contentDir?: string } = {}): BroadsheetStacks {
  const settings = readSettings((key) => app.node.tryGetContext(key));
  const contentDir = options.contentDir ?? path.join(PROJECT_ROOT, 'content');
  const schedules = loadDigestSchedules(contentDir);
  const site = loadSite(contentDir);

  const senders = [
    ['site.yaml sender', site.sender.address],
    ['unsubscribeMailbox', settings.unsubscribeMailbox],
    ...schedules.map((s) => [`digest ${s.digestId} sender`, s.digest.sender.address]),
  ];
  const offDomain = senders.filter(([, address = '']) => !isOnDomain(address, settings.sesDomain));
  if (offDomain.length > 0) {
    throw new ConfigError(
      `every sender must be on the SES domain ${settings.sesDomain} (set -c sesDomain=…): ${offDomain
        .map(([what, address]) => `${what} is ${address}`)
        .join('; ')}`,
    );
  }

  // Environment-agnostic: the account and region are the deploying credentials' (AWS_REGION, profile).
  const names = stackNames(settings.stackPrefix);
  const stateful = new StatefulStack(app, names.stateful, {
    description: 'Broadsheet: tables, buckets, token secret, SES configuration set, archive distribution',
    settings,
    contentDir,
  });
  const stateless = new StatelessStack(app, names.stateless, {
    description: 'Broadsheet: functions, HTTP API, send queue, digest schedules, SES events, alarms',
    settings,
    stateful,
    schedules,
  });
  Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
  return { stateful, stateless };
}
