/**
 * Every Lambda function of Broadsheet, in one table: the stack builds one BroadsheetFunction per row
 * and the bundle bench measures the same entries.
 */
export interface FunctionSpec {
  /** Handler file (exports `handler`), relative to the project root. */
  entry: string;
  /** Kebab-case name: Powertools service name and part of the log group's meaning. */
  serviceName: string;
  description: string;
  memorySize: number;
  timeoutSeconds: number;
  /** Whether the function renders MJML/Handlebars templates and needs `templates/` in its package. */
  copyTemplates: boolean;
  /** Node.js flags beyond `--enable-source-maps`, given through NODE_OPTIONS. */
  nodeOptions?: readonly string[];
}

/** NODE_OPTIONS of a function: source maps for stack traces, then its own flags. */
export function nodeOptionsOf(spec: FunctionSpec): string {
  return ['--enable-source-maps', ...(spec.nodeOptions ?? [])].join(' ');
}

export type FunctionName =
  | 'httpApi'
  | 'buildIssue'
  | 'sendBatch'
  | 'sesEvents'
  | 'inboundUnsubscribe'
  | 'ingest';

/** send-batch may wait on the rate limiter and back off on throttling; the queue's visibility timeout follows it. */
export const SEND_BATCH_TIMEOUT_SECONDS = 180;

export const FUNCTIONS: Record<FunctionName, FunctionSpec> = {
  httpApi: {
    entry: 'functions/handlers/http-api.ts',
    serviceName: 'http-api',
    description: 'Public pages and forms: sign-up, confirm, unsubscribe, preferences',
    memorySize: 512,
    timeoutSeconds: 10,
    copyTemplates: true,
  },
  buildIssue: {
    entry: 'functions/handlers/build-issue.ts',
    serviceName: 'build-issue',
    description: 'Builds an issue once (schedule or operator), stores it and enqueues recipient batches',
    // The digest build is CPU-bound and Lambda gives one full vCPU at 1,769 MB: twice the CPU of 1,024 MB
    // for about the same GB-seconds, as the build takes about half as long.
    memorySize: 1769,
    timeoutSeconds: 300,
    copyTemplates: true,
    // A larger young generation: the analysis keeps most of what it allocates, and with 32 MB semi-spaces
    // the 1,000-article build spends less time copying survivors (npm run bench -- digest compares). The
    // old generation is capped so V8 collects before the function's memory is reached: 10,000 articles
    // build within it (peak RSS ~1.5 GB), and fail at 900 MB.
    nodeOptions: ['--max-semi-space-size=32', '--max-old-space-size=1200'],
  },
  sendBatch: {
    entry: 'functions/handlers/send-batch.ts',
    serviceName: 'send-batch',
    description: 'Sends one batch of recipients through SES, rate-limited, recorded in the delivery ledger',
    memorySize: 512,
    timeoutSeconds: SEND_BATCH_TIMEOUT_SECONDS,
    copyTemplates: false,
  },
  sesEvents: {
    entry: 'functions/handlers/ses-events.ts',
    serviceName: 'ses-events',
    description: 'SES bounce, complaint and delivery events: suppresses bounced and complaining subscribers',
    memorySize: 256,
    timeoutSeconds: 30,
    copyTemplates: false,
  },
  inboundUnsubscribe: {
    entry: 'functions/handlers/inbound-unsubscribe.ts',
    serviceName: 'inbound-unsubscribe',
    description:
      'Mail to the List-Unsubscribe mailto: address (SES receipt rule): unsubscribes by its signed token',
    memorySize: 256,
    timeoutSeconds: 30,
    copyTemplates: false,
  },
  ingest: {
    entry: 'functions/handlers/ingest.ts',
    serviceName: 'ingest',
    description:
      'Hourly: fetches the feeds of sources.yaml and writes their new articles to the content bucket',
    // Readability on a server-side DOM is CPU-bound per page; more memory is more CPU.
    memorySize: 1024,
    timeoutSeconds: 600,
    copyTemplates: false,
  },
};

export const FUNCTION_NAMES = Object.keys(FUNCTIONS) as FunctionName[];
