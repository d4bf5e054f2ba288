import * as z from 'zod';
import { dynamoDocumentClient } from '../functions/adapters/clients/dynamodb.ts';
import { DynamoSubscriberStore } from '../functions/adapters/dynamodb-subscriber-store.ts';
import { httpApiEnv, parseEnv } from '../functions/config.ts';
import type { LocalStack } from './stack.ts';

/** Clearly not a real person: the address the first start subscribes so the inbox shows a digest. */
export const DEMO_ADDRESS = 'demo@broadsheet.local';

/** What `POST /issues` answers: the issue, or an error in the one error shape. */
const startedSchema = z.object({
  issue: z.object({ issueId: z.string(), status: z.string() }).optional(),
  error: z.object({ message: z.string() }).optional(),
});

interface InboxEmail {
  to?: string;
  destination?: { to?: string[] };
  subject?: string;
  body?: { html?: string; text?: string };
  at?: number;
}

export async function inboxEmails(inboxUrl: string): Promise<InboxEmail[]> {
  const response = await fetch(`${inboxUrl}/store`);
  if (!response.ok) throw new Error(`inbox answered ${response.status}`);
  const store = (await response.json()) as { emails?: InboxEmail[] };
  return store.emails ?? [];
}

function recipientsOf(email: InboxEmail): string[] {
  return [...(email.destination?.to ?? []), ...(email.to ? [email.to] : [])];
}

async function waitForEmail(
  inboxUrl: string,
  matches: (email: InboxEmail) => boolean,
  timeoutMs = 15_000,
): Promise<InboxEmail> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const found = (await inboxEmails(inboxUrl)).find(matches);
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error('timed out waiting for an email in the local inbox');
}

/**
 * First start only (no subscribers yet): walks the real double opt-in for the demo address through the
 * public HTTP routes, then triggers the current issue of every digest through the operator route, so
 * the inbox holds real digests a few seconds after `npm start`.
 */
export async function runDemo(stack: LocalStack, log: (line: string) => void): Promise<void> {
  const env = parseEnv(httpApiEnv, stack.env.httpApi);
  const store = new DynamoSubscriberStore(dynamoDocumentClient(env), env.SUBSCRIBERS_TABLE);
  const existing = await store.list({ limit: 1 });
  if (existing.items.length > 0) {
    log('Subscribers exist already: no demo (the schedules and `npx broadsheet send` send real issues).');
    return;
  }
  const digests = (
    await (await fetch(`${stack.urls.app}/`, { headers: { accept: 'text/html' } })).text()
  ).match(/name="digests" value="([a-z0-9-]+)"/g);
  const digestIds = (digests ?? []).map((m) => m.replace(/.*value="/, '').replace(/"$/, ''));
  log(
    `Demo: subscribing ${DEMO_ADDRESS} to ${digestIds.join(', ')} (double opt-in, through the signup route)…`,
  );
  const subscribed = await fetch(`${stack.urls.app}/subscribe`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: DEMO_ADDRESS, digests: digestIds, source: 'local-demo' }),
  });
  if (subscribed.status !== 202) throw new Error(`subscribe answered ${subscribed.status}`);
  const confirmation = await waitForEmail(stack.urls.inbox, (e) => recipientsOf(e).includes(DEMO_ADDRESS));
  const link = (confirmation.body?.text ?? confirmation.body?.html ?? '').match(
    /https?:\/\/\S+\/confirm\?token=[\w.~-]+/,
  );
  if (!link) throw new Error('the confirmation email has no confirm link');
  const confirmed = await fetch(link[0]);
  if (!confirmed.ok) throw new Error(`confirm answered ${confirmed.status}`);
  for (const digestId of digestIds) {
    const started = await fetch(`${stack.urls.api}/issues`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${stack.operatorToken}` },
      body: JSON.stringify({ digestId }),
    });
    const body = startedSchema.safeParse(await started.json()).data;
    log(
      `Demo: issue ${body?.issue?.issueId ?? '(none)'} of ${digestId}: ${body?.issue?.status ?? body?.error?.message ?? started.status}`,
    );
  }
  await stack.idle();
  log(`Demo: done. Open the inbox: ${stack.urls.inbox}`);
}
