import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BundlingOptions, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { COMPILED_EMAILS_FILE } from '../functions/adapters/fs-compiled-emails.ts';

export { COMPILED_EMAILS_FILE };

/**
 * How every handler is bundled: shared by the CDK construct and by bench/bundles.bench.ts, so the
 * bundle the bench measures is the bundle that is deployed.
 */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The Lambda runtime is nodejs24.x (`Runtime.NODEJS_LATEST`); esbuild targets the same version. */
export const NODE_TARGET = 'node24';

/** Lambda's Node.js runtimes ship AWS SDK v3, so it stays out of the bundles. */
export const EXTERNAL_MODULES = ['@aws-sdk/*'];

/** Prefer packages' ESM builds; fall back to CommonJS. */
export const MAIN_FIELDS = ['module', 'main'];

/**
 * CommonJS dependencies bundled into an ES module still call `require` for Node built-ins; ESM has no
 * `require`, so the bundle creates one.
 */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __broadsheetCreateRequire } from 'node:module'; const require = __broadsheetCreateRequire(import.meta.url);";

/** The folder of MJML/Handlebars templates, copied next to the handler of the functions that render. */
export const TEMPLATES_SOURCE_DIR = 'templates';
/** Where the templates land inside the Lambda package (`/var/task` is the package root on Lambda). */
export const TEMPLATES_BUNDLE_DIR = 'templates';
export const LAMBDA_TASK_ROOT = '/var/task';
export const TEMPLATES_DIR_ON_LAMBDA = `${LAMBDA_TASK_ROOT}/${TEMPLATES_BUNDLE_DIR}`;

/**
 * Source maps map stack traces to file and line but leave the sources out: with
 * `--enable-source-maps`, Node parses the whole map at import, and the sources triple its size
 * (a 4 MB bundle with MJML: 12.6 MB map, import ~2× slower; 3.9 MB without sources, no slower).
 */
export const SOURCES_CONTENT = false;

/** The bundled file's name (NodejsFunction names an ESM bundle `index.mjs`). */
export const BUNDLE_FILE = 'index.mjs';

/**
 * The confirmation and welcome emails, compiled from the copied templates by infra/compile-emails.ts
 * and written beside the bundle (COMPILED_EMAILS_FILE), where functions/adapters/fs-compiled-emails.ts
 * reads them: MJML runs here, at build time, and never in the function.
 */
function afterBundling(inputDir: string, outputDir: string): string[] {
  const templates = path.join(outputDir, TEMPLATES_BUNDLE_DIR);
  const tsx = path.join(inputDir, 'node_modules', '.bin', 'tsx');
  const compile = path.join(inputDir, 'infra', 'compile-emails.ts');
  return [
    `cp -r "${path.join(inputDir, TEMPLATES_SOURCE_DIR)}" "${templates}"`,
    `"${tsx}" "${compile}" "${templates}" "${path.join(outputDir, COMPILED_EMAILS_FILE)}"`,
  ];
}

/**
 * NodejsFunction bundling options; `copyTemplates` adds the templates folder to the package, and the
 * subscription emails compiled from it.
 */
export function lambdaBundling(copyTemplates: boolean): BundlingOptions {
  return {
    format: OutputFormat.ESM,
    target: NODE_TARGET,
    minify: true,
    sourceMap: true,
    sourcesContent: SOURCES_CONTENT,
    externalModules: EXTERNAL_MODULES,
    mainFields: MAIN_FIELDS,
    banner: ESM_REQUIRE_BANNER,
    ...(copyTemplates
      ? {
          commandHooks: {
            beforeBundling: () => [],
            beforeInstall: () => [],
            afterBundling,
          },
        }
      : {}),
  };
}

/** The same bundle as plain esbuild options (for the bench). */
export function esbuildOptions(entry: string, outfile: string) {
  return {
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node' as const,
    format: 'esm' as const,
    target: NODE_TARGET,
    minify: true,
    sourcemap: true,
    sourcesContent: SOURCES_CONTENT,
    external: EXTERNAL_MODULES,
    mainFields: MAIN_FIELDS,
    banner: { js: ESM_REQUIRE_BANNER },
    metafile: true as const,
    logLevel: 'warning' as const,
  };
}
