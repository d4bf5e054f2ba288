import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { createTableInput, TABLES } from '../../functions/adapters/dynamodb-tables.ts';
import { type Emulators, startEmulators } from '../../local/emulators.ts';
import { createTableAndWait } from '../../local/runtime/bootstrap.ts';

const CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
const subscribersDesign = TABLES.find((t) => t.logicalName === 'subscribers');

export interface SubscriberWorld {
  emulators: Emulators;
  dynamo: DynamoDBClient;
  db: DynamoDBDocumentClient;
  ses: SESv2Client;
  /** A fresh subscribers table. */
  table(): Promise<string>;
  stop(): Promise<void>;
}

let tableCounter = 0;

export async function startSubscriberWorld(): Promise<SubscriberWorld> {
  const emulators = await startEmulators();
  const common = {
    region: 'us-east-1',
    credentials: CREDENTIALS,
    requestHandler: { requestTimeout: 10_000, throwOnRequestTimeout: true },
  };
  const dynamo = new DynamoDBClient({ ...common, endpoint: emulators.endpoints.dynamodb });
  const db = DynamoDBDocumentClient.from(dynamo, { marshallOptions: { removeUndefinedValues: true } });
  const ses = new SESv2Client({ ...common, endpoint: emulators.endpoints.ses });
  return {
    emulators,
    dynamo,
    db,
    ses,
    async table() {
      if (!subscribersDesign) throw new Error('no subscribers table design');
      tableCounter += 1;
      const name = `subscribers-${tableCounter}`;
      await createTableAndWait(dynamo, createTableInput(subscribersDesign, name));
      return name;
    },
    async stop() {
      dynamo.destroy();
      ses.destroy();
      await emulators.stop();
    },
  };
}

const storedEmailSchema = z.object({
  messageId: z.string(),
  from: z.string(),
  replyTo: z.array(z.string()),
  destination: z.object({ to: z.array(z.string()) }),
  subject: z.string(),
  body: z.object({ html: z.string().optional(), text: z.string().optional() }),
  headers: z.array(z.object({ name: z.string(), value: z.string() })).optional(),
  at: z.number(),
});
export type StoredEmail = z.infer<typeof storedEmailSchema>;

/** What the SES emulator received, read back through its `GET /store`. */
export async function sesInbox(world: SubscriberWorld): Promise<StoredEmail[]> {
  const response = await fetch(`${world.emulators.inboxUrl}/store`);
  const body = z.object({ emails: z.array(storedEmailSchema) }).parse(await response.json());
  return body.emails;
}

export async function mailTo(world: SubscriberWorld, address: string): Promise<StoredEmail[]> {
  return (await sesInbox(world)).filter((e) => e.destination.to.includes(address));
}
