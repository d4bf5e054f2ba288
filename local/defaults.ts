import { localEnvSchema, parseEnv } from '../functions/config.ts';

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

/**
 * Where the CLI finds the local stack: its HTTP API at PORT and DynamoDB at PORT+1, as local/stack.ts
 * places them, so every command follows the same PORT.
 */
export function localStack(env: Record<string, string | undefined> = process.env) {
  const { PORT } = parseEnv(localEnvSchema, env);
  return { apiUrl: `http://127.0.0.1:${PORT}`, dynamodb: `http://127.0.0.1:${PORT + 1}` };
}
