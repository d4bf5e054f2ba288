import { readFileSync } from 'node:fs';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as z from 'zod';
import { addBroadsheet, type BroadsheetStacks } from '../../infra/broadsheet-app.ts';
import { PROJECT_ROOT } from '../../infra/bundling.ts';

const cdkJsonSchema = z.object({ app: z.string(), context: z.record(z.string(), z.unknown()) });

/** The context `npx cdk synth` uses, from cdk.json. */
export function cdkJson() {
  return cdkJsonSchema.parse(JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'cdk.json'), 'utf8')));
}

export interface Synthesized extends BroadsheetStacks {
  app: App;
  statefulTemplate: Template;
  statelessTemplate: Template;
}

/**
 * Both stacks synthesized with cdk.json's context plus `extraContext`, without bundling the handlers
 * (the bundles are measured by bench/bundles.bench.ts and built for real by `cdk synth`).
 */
export function synthBroadsheet(extraContext: Record<string, unknown> = {}): Synthesized {
  const app = new App({
    context: { ...cdkJson().context, ...extraContext, 'aws:cdk:bundling-stacks': [] },
  });
  const stacks = addBroadsheet(app);
  return {
    app,
    ...stacks,
    statefulTemplate: Template.fromStack(stacks.stateful),
    statelessTemplate: Template.fromStack(stacks.stateless),
  };
}

export type Resource = {
  Type: string;
  Properties?: Record<string, unknown>;
  Metadata?: Record<string, unknown>;
};

export function resourcesOf(template: Template, type: string): [string, Resource][] {
  return Object.entries(template.findResources(type) as Record<string, Resource>);
}
