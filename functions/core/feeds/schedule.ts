/**
 * When the ingest function runs: hourly, on the hour (UTC). EventBridge Scheduler on AWS
 * (`cron(0 * * * ? *)`, through the same converter as the digests) and croner in `npm start`.
 */
export const INGEST_SCHEDULE = { cron: '0 * * * *', timezone: 'UTC' } as const;
