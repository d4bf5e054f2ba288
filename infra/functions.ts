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
}

export type FunctionName = 'httpApi' | 'buildIssue' | 'sendBatch' | 'sesEvents';

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
    memorySize: 1024,
    timeoutSeconds: 300,
    copyTemplates: true,
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
};

export const FUNCTION_NAMES = Object.keys(FUNCTIONS) as FunctionName[];
