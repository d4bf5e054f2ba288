#!/usr/bin/env node
// Runs the TypeScript CLI through tsx, so `npx broadsheet …` works in the repo without a build step.
import { register } from 'tsx/esm/api';

// The SDK's notice about Node versions after 2027 is not the operator's concern on every command.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
register();
const { main } = await import('../cli.ts');
process.exitCode = await main(process.argv.slice(2));
