import type { Clock, Log, MetricsSink } from '../../core/ports.ts';
import type { IssueEmail } from '../../core/sending/issue-email.ts';
import { verifyToken } from '../../core/subscribers/tokens.ts';
import {
  type EngagementCounters,
  type EngagementLedger,
  recordEngagement,
} from '../../core/tracking/engagement.ts';
import type { TrackedLink } from '../../core/tracking/links.ts';
import { judgeRequest } from '../../core/tracking/prefetch.ts';
import { type TrackingKey, trackingKey, verifyTrackingToken } from '../../core/tracking/tokens.ts';
import type { HttpRequest } from './event.ts';
import { messagePage } from './pages.ts';
import { type HttpResponse, type Pages, SECURITY_HEADERS } from './responses.ts';

export interface TrackingDeps {
  engagement: EngagementLedger & EngagementCounters;
  /** The issue's stored email (its links); `null` when there is no such issue. */
  loadEmail(issueId: string): Promise<IssueEmail | null>;
  secret(): Promise<string>;
  clock: Clock;
  /** Clicks this soon after sending are taken for a mail scanner's (see core/tracking/prefetch.ts). */
  scanWindowSeconds: number;
  logger: Log;
  metrics: MetricsSink;
}

/** Issues whose links are kept in memory (a redirect should not read S3 every time). */
const CACHED_ISSUES = 32;
const PIXEL = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

function notFound(pages: Pages): HttpResponse {
  return pages.respond(
    404,
    messagePage('This link does not work', [
      'The link is not one of ours, or it was changed on the way.',
      'If it was split over two lines in your email, copy both parts into the address bar.',
    ]),
  );
}

/** The token of `/r/<token>` or `/o/<token>.gif`, or null. */
export function tokenInPath(path: string, prefix: '/r/' | '/o/'): string | null {
  if (!path.startsWith(prefix)) return null;
  const rest = path.slice(prefix.length);
  const token = prefix === '/o/' ? (rest.endsWith('.gif') ? rest.slice(0, -4) : null) : rest;
  return token !== null && token.length > 0 && token.length <= 300 && !token.includes('/') ? token : null;
}

export function trackingRoutes(deps: TrackingDeps) {
  const emails = new Map<string, Promise<TrackedLink[] | null>>();
  let keyFor: { secret: string; key: TrackingKey } | undefined;

  async function key(): Promise<TrackingKey> {
    const secret = await deps.secret();
    if (keyFor?.secret !== secret) keyFor = { secret, key: trackingKey(secret) };
    return keyFor.key;
  }

  function linksOf(issueId: string): Promise<TrackedLink[] | null> {
    let links = emails.get(issueId);
    if (links === undefined) {
      links = deps.loadEmail(issueId).then((email) => email?.links ?? null);
      emails.set(issueId, links);
      links.catch(() => emails.delete(issueId));
      if (emails.size > CACHED_ISSUES) emails.delete(emails.keys().next().value ?? issueId);
    }
    return links;
  }

  /** Counts unless the request is a prefetch; a failure to count never stops the reader. */
  async function count(
    request: HttpRequest,
    token: { issueId: string; subscriberId: string; sentAt: Date; link: number | null },
  ): Promise<void> {
    const kind = token.link === null ? 'open' : 'click';
    const now = deps.clock.now();
    const verdict = judgeRequest(
      { method: request.method, userAgent: request.headers['user-agent'], kind, now, sentAt: token.sentAt },
      deps.scanWindowSeconds,
    );
    if (verdict.prefetch) {
      deps.metrics.count(kind === 'open' ? 'PrefetchedOpens' : 'PrefetchedClicks');
      deps.logger.debug('not counted: prefetch', { issueId: token.issueId, reason: verdict.reason });
      return;
    }
    try {
      const outcome = await recordEngagement(
        { ledger: deps.engagement, counters: deps.engagement },
        {
          issueId: token.issueId,
          recipientKey: `s:${token.subscriberId}`,
          kind,
          ...(token.link === null ? {} : { link: token.link }),
          at: now,
          sentAt: token.sentAt,
        },
      );
      if (outcome !== 'unknown-recipient') deps.metrics.count(kind === 'open' ? 'Opens' : 'Clicks');
    } catch (cause) {
      deps.logger.error(`${kind} not counted`, {
        issueId: token.issueId,
        error: cause instanceof Error ? cause.message : String(cause),
      });
    }
  }

  /** `GET|HEAD /r/<token>`: 302 to the issue's link, never anywhere else. */
  async function click(request: HttpRequest, pages: Pages): Promise<HttpResponse> {
    const raw = tokenInPath(request.path, '/r/');
    const token = raw === null ? null : verifyTrackingToken(await key(), raw, 'click');
    if (token === null || token.link === null) return notFound(pages);
    const link = (await linksOf(token.issueId))?.[token.link];
    if (link === undefined) return notFound(pages);
    await count(request, token);
    return { statusCode: 302, headers: { ...SECURITY_HEADERS, location: link.url }, body: '' };
  }

  /** `GET|HEAD /o/<token>.gif`: a transparent 1×1 GIF, counted as an open. */
  async function open(request: HttpRequest, pages: Pages): Promise<HttpResponse> {
    const raw = tokenInPath(request.path, '/o/');
    const token = raw === null ? null : verifyTrackingToken(await key(), raw, 'open');
    if (token === null) return notFound(pages);
    await count(request, token);
    return {
      statusCode: 200,
      headers: { ...SECURITY_HEADERS, 'content-type': 'image/gif', 'content-length': String(PIXEL.length) },
      body: PIXEL.toString('base64'),
      isBase64Encoded: true,
    };
  }

  /**
   * An unsubscribe through an issue's link, counted for that issue once per recipient. The issue comes
   * unsigned in the link's query, but only an issue the recipient was sent (a ledger record) counts.
   */
  async function unsubscribed(issueId: string, unsubscribeToken: string): Promise<void> {
    const verified = verifyToken(await deps.secret(), unsubscribeToken, 'unsubscribe', deps.clock.now());
    if (!verified.ok) return;
    try {
      await recordEngagement(
        { ledger: deps.engagement, counters: deps.engagement },
        { issueId, recipientKey: `s:${verified.subscriberId}`, kind: 'unsubscribe', at: deps.clock.now() },
      );
    } catch (cause) {
      deps.logger.error('unsubscribe not counted', {
        issueId,
        error: cause instanceof Error ? cause.message : String(cause),
      });
    }
  }

  return { click, open, unsubscribed };
}
