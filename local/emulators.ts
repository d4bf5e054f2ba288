import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { startSqsS3Emulator } from './runtime/sqs-s3-emulator.ts';

/**
 * Local peers that speak the AWS protocols: DynamoDB (dynalite), SES v2 with a web inbox
 * (aws-ses-v2-local), SQS and S3 (fauxqs, durable with a data folder). Every one listens on `host`
 * only. Used by `npm start` and by the integration tests.
 */
export interface Emulators {
  endpoints: { dynamodb: string; ses: string; sqs: string; s3: string };
  /** The SES emulator's web inbox and its JSON store (`GET /store`). */
  inboxUrl: string;
  /** Messages and objects the SQS/S3 emulator restored from its data folder at start. */
  restored?: { messages: number; objects: number };
  stop(): Promise<void>;
}

export interface EmulatorOptions {
  host?: string;
  /** 0 (the default) picks free ports. */
  ports?: { dynamodb?: number; ses?: number; sqsS3?: number };
  /** Folder for dynalite's LevelDB files; in memory when absent. */
  dynamodbPath?: string;
  /** Folder for the SQS journal and the S3 objects (`sqs/`, `s3/`); in memory when absent. */
  sqsS3DataDir?: string;
  /** What `GetAccount` answers: the account's send rate in messages per second. */
  sesMaxSendRate?: number;
}

interface Listening {
  listen(port: number, host: string, callback: () => void): void;
  close(callback: (error?: Error) => void): void;
  address(): AddressInfo | string | null;
}

const require = createRequire(import.meta.url);

function sesAccount(maxSendRate: number): string {
  return JSON.stringify({
    DedicatedIpAutoWarmupEnabled: false,
    Details: {
      AdditionalContactEmailAddresses: [],
      ContactLanguage: 'EN',
      MailType: 'MARKETING',
      ReviewDetails: { CaseId: 'local', Status: 'GRANTED' },
      UseCaseDescription: 'Broadsheet local emulator',
      WebsiteURL: 'http://localhost',
    },
    EnforcementStatus: 'HEALTHY',
    ProductionAccessEnabled: true,
    SendingEnabled: true,
    SendQuota: { Max24HourSend: 1_000_000, MaxSendRate: maxSendRate, SentLast24Hours: 0 },
    SuppressionAttributes: { SuppressedReasons: [] },
  });
}

function closeServer(server: { close(callback: (error?: Error) => void): void }): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

function urlOf(host: string, address: AddressInfo | string | null): string {
  if (address === null || typeof address === 'string') throw new Error('emulator is not listening on TCP');
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return `http://${shownHost}:${address.port}`;
}

export async function startEmulators(options: EmulatorOptions = {}): Promise<Emulators> {
  const host = options.host ?? '127.0.0.1';
  const stops: (() => Promise<void>)[] = [];
  try {
    const dynalite = require('dynalite') as (opts: Record<string, unknown>) => Listening;
    const dynamo = dynalite({
      createTableMs: 0,
      deleteTableMs: 0,
      updateTableMs: 0,
      ...(options.dynamodbPath ? { path: options.dynamodbPath } : {}),
    });
    await new Promise<void>((resolve, reject) => {
      (dynamo as unknown as Server).once('error', reject);
      dynamo.listen(options.ports?.dynamodb ?? 0, host, resolve);
    });
    stops.push(() => closeServer(dynamo));

    // The emulator reads its account from the environment when GetAccount is called.
    process.env.AWS_SES_ACCOUNT = sesAccount(options.sesMaxSendRate ?? 200);
    const startSes = require('aws-ses-v2-local').default as (config: {
      host: string;
      port: number;
    }) => Promise<Server>;
    const ses = await startSes({ host, port: options.ports?.ses ?? 0 });
    stops.push(() => closeServer(ses));

    const sqsS3 = await startSqsS3Emulator({
      host,
      port: options.ports?.sqsS3 ?? 0,
      ...(options.sqsS3DataDir ? { dataDir: options.sqsS3DataDir } : {}),
    });
    stops.push(() => sqsS3.stop());

    const sesUrl = urlOf(host, ses.address());
    return {
      endpoints: {
        dynamodb: urlOf(host, dynamo.address()),
        ses: sesUrl,
        sqs: sqsS3.address,
        s3: sqsS3.address,
      },
      inboxUrl: sesUrl,
      restored: sqsS3.restored,
      async stop() {
        for (const stop of stops.reverse()) await stop();
      },
    };
  } catch (cause) {
    for (const stop of stops.reverse()) await stop();
    throw cause;
  }
}
