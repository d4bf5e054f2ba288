/**
 * Where the one-machine stack (`npm start`) listens and what it names things, so the CLI commands
 * reach it without flags. The emulators take the three ports after the HTTP port (local/stack.ts).
 */
export const LOCAL_PORTS = { http: 3000, dynamodb: 3001, ses: 3002, sqsS3: 3003 } as const;

export const LOCAL_TABLES = {
  subscribers: 'broadsheet-subscribers',
  issues: 'broadsheet-issues',
  deliveries: 'broadsheet-deliveries',
} as const;

export const LOCAL_QUEUE = 'broadsheet-send';

export const LOCAL_BUCKETS = { issues: 'broadsheet-issues', content: 'broadsheet-content' } as const;

export const LOCAL_ENDPOINTS = {
  dynamodb: `http://127.0.0.1:${LOCAL_PORTS.dynamodb}`,
} as const;
