import { Logger } from '@aws-lambda-powertools/logger';
import { loadPageTemplates } from '../../functions/adapters/fs-page-templates.ts';
import { createHttpApiHandler, type HttpApiDeps } from '../../functions/app/http-api.ts';
import type { Clock, ContentSource, Mailer, OutgoingEmail } from '../../functions/core/ports.ts';
import { SendError, type SendFailureKind } from '../../functions/core/ports.ts';
import { emailIdentity } from '../../functions/core/subscribers/email.ts';
import { base32 } from '../../functions/core/subscribers/ids.ts';
import { activeDigests, type Recipient, type Subscriber } from '../../functions/core/subscribers/model.ts';
import type {
  CreateResult,
  EventClaims,
  Page,
  RateCounters,
  SubscriberChange,
  SubscriberStore,
  UpdateResult,
} from '../../functions/core/subscribers/ports.ts';
import { createPageKit } from '../../functions/render/page-kit.ts';
import { PlainSubscriberEmails } from '../support/plain-subscriber-emails.ts';

/** An in-memory SubscriberStore with the same contract as the DynamoDB one, for unit tests of the core and app. */
export class MemorySubscriberStore implements SubscriberStore {
  public readonly byId = new Map<string, Subscriber>();

  public async get(id: string) {
    const s = this.byId.get(id);
    return s === undefined ? undefined : structuredClone(s);
  }

  public async findByEmail(email: string) {
    for (const s of this.byId.values())
      if (emailIdentity(s.email) === emailIdentity(email)) return structuredClone(s);
    return undefined;
  }

  public async create(subscriber: Subscriber): Promise<CreateResult> {
    const existing = await this.findByEmail(subscriber.email);
    if (existing) return { created: false, existing };
    this.byId.set(subscriber.id, structuredClone(subscriber));
    return { created: true, subscriber: structuredClone(subscriber) };
  }

  public async update(id: string, change: SubscriberChange): Promise<UpdateResult | undefined> {
    const current = await this.get(id);
    if (current === undefined) return undefined;
    const proposed = change(structuredClone(current));
    if (proposed === undefined) return { before: current, after: current, changed: false };
    const next = { ...proposed, id: current.id, email: current.email, version: current.version + 1 };
    this.byId.set(id, structuredClone(next));
    return { before: current, after: structuredClone(next), changed: true };
  }

  public async pageConfirmed(digestId: string, options: { limit: number; cursor?: string }) {
    const all = [...this.byId.values()]
      .filter((s) => activeDigests(s).includes(digestId))
      .sort((a, b) => (a.id < b.id ? -1 : 1));
    const start = options.cursor === undefined ? 0 : all.findIndex((s) => s.id > (options.cursor ?? ''));
    const slice = start === -1 ? [] : all.slice(start, start + options.limit);
    const subscribers: Recipient[] = slice.map((s) => ({
      id: s.id,
      email: s.email,
      ...(s.name ? { name: s.name } : {}),
    }));
    const last = slice[slice.length - 1];
    return { subscribers, ...(last && start + options.limit < all.length ? { cursor: last.id } : {}) };
  }

  public async list(options: {
    status?: Subscriber['status'];
    limit: number;
    cursor?: string;
  }): Promise<Page<Subscriber>> {
    const items = [...this.byId.values()].filter(
      (s) => options.status === undefined || s.status === options.status,
    );
    return { items: items.map((s) => structuredClone(s)) };
  }
}

/** In-memory EventClaims: the events claimed and not released. */
export class MemoryEventClaims implements EventClaims {
  public readonly claimed = new Set<string>();

  public async claim(eventKey: string) {
    if (this.claimed.has(eventKey)) return false;
    this.claimed.add(eventKey);
    return true;
  }

  public async release(eventKey: string) {
    this.claimed.delete(eventKey);
  }
}

/** In-memory RateCounters (no expiry: tests move the window by the key). */
export class MemoryRateCounters implements RateCounters {
  public readonly counts = new Map<string, number>();

  public async readCount(counterKey: string) {
    return this.counts.get(counterKey) ?? 0;
  }

  public async countRequest(counterKey: string, _expiresAt: Date, max: number) {
    const count = (this.counts.get(counterKey) ?? 0) + 1;
    if (count > max) return null;
    this.counts.set(counterKey, count);
    return count;
  }
}

/** Records what would have been sent; can be told to fail the next sends. */
export class CapturingMailer implements Mailer {
  public readonly sent: OutgoingEmail[] = [];
  public failNext: SendFailureKind[] = [];

  public async send(email: OutgoingEmail) {
    const failure = this.failNext.shift();
    if (failure !== undefined) throw new SendError(failure, `simulated ${failure} failure`);
    this.sent.push(email);
    return { messageId: `m-${this.sent.length}` };
  }

  public to(address: string): OutgoingEmail[] {
    return this.sent.filter((e) => e.to === address);
  }
}

export class ManualClock implements Clock {
  public time: number;
  public constructor(iso = '2026-03-01T09:00:00.000Z') {
    this.time = Date.parse(iso);
  }
  public now() {
    return new Date(this.time);
  }
  public advance(ms: number) {
    this.time += ms;
  }
}

export const TEST_SECRET = 'test-secret-0123456789abcdefghijklmnopqrstuvwxyz';
export const BASE_URL = 'https://news.example.org';

export const THEMES_YAML = `themes:
  - { id: summits, title: Summits, description: Meetings., terms: [summit] }
  - { id: sanctions, title: Sanctions, description: Policy., terms: [sanctions] }
`;
export const DIGESTS_YAML = `digests:
  - id: weekly
    title: The Weekly <Edition>
    description: Every Monday & more.
    themes: [summits]
    schedule: { cron: "0 7 * * 1", timezone: Europe/London }
    sender: { name: Weekly, address: weekly@news.example.org }
    postalAddress: 1 Example Street, London
  - id: monthly
    title: The Monthly
    description: Once a month.
    themes: [sanctions]
    schedule: { cron: "0 8 1 * *", timezone: Europe/London }
    sender: { name: Monthly, address: monthly@news.example.org }
    postalAddress: 1 Example Street, London
`;

export const SITE_YAML = `name: The Harbour Gazette
tagline: News from the quay, weekly.
publicBaseUrl: https://news.example.org
accents: { light: "#0b5d7a", dark: "#7cc7e0" }
sender: { name: The Harbour Gazette, address: hello@news.example.org }
postalAddress: The Harbour Gazette, 2 Quay Street, Portsmouth PO1 2AB, United Kingdom
footer: The Harbour Gazette · news from the quay.
archive: { title: Harbour Gazette archive }
`;

export function memoryContent(
  files: Record<string, string> = {
    'themes.yaml': THEMES_YAML,
    'digests.yaml': DIGESTS_YAML,
    'site.yaml': SITE_YAML,
  },
): ContentSource {
  return {
    listArticles: async () => [],
    readConfigFile: async (name) => {
      const text = files[name];
      if (text === undefined) throw new Error(`no ${name}`);
      return text;
    },
  };
}

export const silentLogger = new Logger({ serviceName: 'test', logLevel: 'SILENT' });

let idCounter = 0;
/** Deterministic, valid subscriber ids (26 base32 characters), in creation order. */
export function nextTestId(): string {
  idCounter += 1;
  const bytes = new Uint8Array(16);
  new DataView(bytes.buffer).setUint32(12, idCounter);
  return base32(bytes);
}

export interface AppHarness {
  handler: ReturnType<typeof createHttpApiHandler>;
  store: MemorySubscriberStore;
  counters: MemoryRateCounters;
  mailer: CapturingMailer;
  clock: ManualClock;
  deps: HttpApiDeps;
}

export function appHarness(overrides: Partial<HttpApiDeps> = {}): AppHarness {
  const store = new MemorySubscriberStore();
  const counters = new MemoryRateCounters();
  const mailer = new CapturingMailer();
  const clock = new ManualClock();
  const deps: HttpApiDeps = {
    store,
    counters,
    mailer,
    emails: (site) => new PlainSubscriberEmails(site.name),
    content: memoryContent(),
    pages: createPageKit(loadPageTemplates()),
    clock,
    tokenSecret: TEST_SECRET,
    publicBaseUrl: BASE_URL,
    confirmTokenTtlHours: 72,
    resendCooldownMinutes: 15,
    logger: silentLogger,
    ...overrides,
  };
  return { handler: createHttpApiHandler(deps), store, counters, mailer, clock, deps };
}

interface RequestOptions {
  query?: string;
  headers?: Record<string, string>;
  body?: string;
  base64?: boolean;
  sourceIp?: string;
}

/** An API Gateway HTTP API payload 2.0 event, as AWS sends it. */
export function httpEvent(method: string, path: string, options: RequestOptions = {}) {
  const body = options.body;
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: options.query ?? '',
    headers: { host: 'news.example.org', 'user-agent': 'vitest', ...(options.headers ?? {}) },
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      domainName: 'news.example.org',
      domainPrefix: 'news',
      http: {
        method,
        path,
        protocol: 'HTTP/1.1',
        sourceIp: options.sourceIp ?? '203.0.113.7',
        userAgent: 'vitest',
      },
      requestId: 'req-1',
      routeKey: '$default',
      stage: '$default',
      time: '01/Mar/2026:09:00:00 +0000',
      timeEpoch: 1772355600000,
    },
    ...(body !== undefined
      ? {
          body: options.base64 ? Buffer.from(body, 'utf8').toString('base64') : body,
          isBase64Encoded: options.base64 ?? false,
        }
      : { isBase64Encoded: false }),
  };
}

export const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
export const JSON_TYPE = { 'content-type': 'application/json' };

/** The token of the first link to `path` in a text. */
export function tokenFrom(text: string, path: '/confirm' | '/unsubscribe' | '/preferences'): string {
  const match = new RegExp(`${path}\\?token=([A-Za-z0-9_.%-]+)`).exec(text);
  if (!match?.[1]) throw new Error(`no ${path} link in: ${text.slice(0, 300)}`);
  return decodeURIComponent(match[1]);
}
