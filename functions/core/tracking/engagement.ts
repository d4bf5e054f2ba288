/**
 * What readers did with an issue. Two stores, both written with single-item atomic updates:
 * first-time flags on each recipient's delivery-ledger record (a recipient counts once per kind, and
 * once per link), and one counter item per issue (read in one request).
 */
/** Names the issue in each of its emails: SES delivery events carry it (and the local SES keeps no tags). */
export const ISSUE_HEADER = 'X-Broadsheet-Issue';

export const engagementKinds = ['delivery', 'bounce', 'complaint', 'open', 'click', 'unsubscribe'] as const;
export type EngagementKind = (typeof engagementKinds)[number];

/** Opens and clicks are charted over the first hours after sending. */
export const CHART_HOURS = 72;

export interface IssueEngagement {
  delivered: number;
  bounced: number;
  complained: number;
  /**
   * Every counted open and click with a valid token (a reader may open or click many times; a reader
   * erased since, or whose ledger record expired, still adds here but to nothing else).
   */
  opens: number;
  clicks: number;
  /** Recipients who opened / clicked at least once. */
  uniqueOpens: number;
  uniqueClicks: number;
  /** Recipients who left the digest through this issue's unsubscribe link. */
  unsubscribed: number;
  /** Recipients who clicked each link (by the link's index in the issue). */
  linkClicks: number[];
  /** Recipients whose first open / click came in hour h after their email was sent, h < CHART_HOURS. */
  opensByHour: number[];
  clicksByHour: number[];
}

export function emptyEngagement(): IssueEngagement {
  return {
    delivered: 0,
    bounced: 0,
    complained: 0,
    opens: 0,
    clicks: 0,
    uniqueOpens: 0,
    uniqueClicks: 0,
    unsubscribed: 0,
    linkClicks: [],
    opensByHour: new Array<number>(CHART_HOURS).fill(0),
    clicksByHour: new Array<number>(CHART_HOURS).fill(0),
  };
}

export interface EngagementEvent {
  issueId: string;
  /** The delivery ledger's key of the recipient (`s:<subscriberId>`). */
  recipientKey: string;
  kind: EngagementKind;
  /** The link clicked (clicks only). */
  link?: number;
  at: Date;
  /** When the recipient's email was sent, if known (opens and clicks: from the token). */
  sentAt?: Date;
}

/** What the ledger record said before this event: whether it is the recipient's first of its kind. */
export type FlagResult =
  /** The issue has no ledger record for the recipient (never sent, expired or erased): nothing counts. */
  { known: false } | { known: true; first: boolean; firstForLink: boolean };

export interface EngagementLedger {
  /** Sets the recipient's first-time flag for `event.kind` (and link) if unset, in one atomic update. */
  flag(event: EngagementEvent): Promise<FlagResult>;
}

/** Counter names: the fields of IssueEngagement, `link:<i>`, `openHour:<h>`, `clickHour:<h>`. */
export type Increments = Record<string, number>;

export interface EngagementCounters {
  /** Adds to an issue's counters in one atomic update. */
  add(issueId: string, increments: Increments): Promise<void>;
  /** An issue's counters, in one read; empty counts when nothing was recorded. */
  read(issueId: string): Promise<IssueEngagement>;
}

const UNIQUE_COUNTER: Record<EngagementKind, keyof IssueEngagement> = {
  delivery: 'delivered',
  bounce: 'bounced',
  complaint: 'complained',
  open: 'uniqueOpens',
  click: 'uniqueClicks',
  unsubscribe: 'unsubscribed',
};

/** What every counted open or click adds, first or not: written alongside the ledger flag. */
function everyTime(event: EngagementEvent): Increments {
  if (event.kind === 'open') return { opens: 1 };
  if (event.kind === 'click') return { clicks: 1 };
  return {};
}

/** The counters an event adds once the ledger said whether it is the recipient's first. */
export function incrementsFor(event: EngagementEvent, flags: FlagResult): Increments {
  if (!flags.known) return {};
  const increments: Increments = {};
  if (event.kind === 'click' && flags.firstForLink && event.link !== undefined)
    increments[`link:${event.link}`] = 1;
  if (flags.first) {
    increments[UNIQUE_COUNTER[event.kind]] = 1;
    const hour = hoursSinceSend(event);
    if (hour !== null && (event.kind === 'open' || event.kind === 'click'))
      increments[`${event.kind}Hour:${hour}`] = 1;
  }
  return increments;
}

function hoursSinceSend(event: EngagementEvent): number | null {
  if (event.sentAt === undefined) return null;
  const hour = Math.floor((event.at.getTime() - event.sentAt.getTime()) / 3_600_000);
  return hour >= 0 && hour < CHART_HOURS ? hour : null;
}

export type RecordOutcome = 'counted-first' | 'counted-again' | 'unknown-recipient';

/**
 * Records one event: the ledger flag (it decides what is a first) and the every-time counter at once,
 * then the firsts. A repeat click is two writes side by side, not one after the other.
 */
export async function recordEngagement(
  deps: { ledger: EngagementLedger; counters: EngagementCounters },
  event: EngagementEvent,
): Promise<RecordOutcome> {
  const always = everyTime(event);
  const [flags] = await Promise.all([
    deps.ledger.flag(event),
    Object.keys(always).length > 0 ? deps.counters.add(event.issueId, always) : undefined,
  ]);
  if (!flags.known) return 'unknown-recipient';
  const increments = incrementsFor(event, flags);
  if (Object.keys(increments).length > 0) await deps.counters.add(event.issueId, increments);
  return flags.first ? 'counted-first' : 'counted-again';
}

/** `part / whole` as a rate in [0, 1], or null when there is no whole. */
export function rate(part: number, whole: number): number | null {
  return whole > 0 ? Math.min(1, part / whole) : null;
}
