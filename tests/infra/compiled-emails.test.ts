import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { readCompiledEmails } from '../../functions/adapters/fs-compiled-emails.ts';
import { loadTemplateSet } from '../../functions/adapters/fs-templates.ts';
import { compileSubscriberEmails } from '../../functions/render/subscriber-emails.ts';
import { BUNDLE_FILE, COMPILED_EMAILS_FILE, TEMPLATES_BUNDLE_DIR } from '../../infra/bundling.ts';
import { BroadsheetFunction } from '../../infra/constructs/broadsheet-function.ts';
import { FUNCTIONS } from '../../infra/functions.ts';

/**
 * The http-api function bundled for real by the CDK (esbuild, then the afterBundling hook): its asset
 * must carry the subscription emails compiled from the templates, and no MJML.
 */
const outdir = await mkdtemp(path.join(tmpdir(), 'broadsheet-http-api-asset-'));
afterAll(() => rm(outdir, { recursive: true, force: true }));

function synthesizedAsset(): string {
  const app = new App({ outdir });
  const stack = new Stack(app, 'HttpApiAsset');
  new BroadsheetFunction(stack, 'HttpApi', { spec: FUNCTIONS.httpApi, environment: {}, logLevel: 'INFO' });
  const assembly = app.synth();
  const [fn] = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'));
  const key = z.object({ Properties: z.object({ Code: z.object({ S3Key: z.string() }) }) }).parse(fn)
    .Properties.Code.S3Key;
  return path.join(assembly.directory, `asset.${key.replace(/\.zip$/, '')}`);
}

describe('the synthesized http-api asset', () => {
  it('carries the subscription emails compiled at build time beside a bundle without MJML', async () => {
    const asset = synthesizedAsset();
    expect(existsSync(path.join(asset, TEMPLATES_BUNDLE_DIR, 'pages', 'layout.hbs'))).toBe(true);
    const compiled = await readCompiledEmails(path.join(asset, COMPILED_EMAILS_FILE));
    expect(compiled).toEqual(await compileSubscriberEmails(await loadTemplateSet()));
    const bundle = readFileSync(path.join(asset, BUNDLE_FILE), 'utf8');
    expect(bundle).not.toMatch(/mjml-core|mj-column|juice/);
  }, 120_000);
});
