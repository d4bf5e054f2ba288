import robotsParserModule from 'robots-parser';

interface Robots {
  isAllowed(url: string, ua?: string): boolean | undefined;
  getCrawlDelay(ua?: string): number | undefined;
}
/** The package's types declare the module twice over; its CommonJS export is this function. */
const robotsParser = robotsParserModule as unknown as (url: string, body: string) => Robots;

/** What fetching `/robots.txt` gave: a body (2xx), a status without a usable body, or no answer. */
export type RobotsFetch =
  | { kind: 'ok'; body: string }
  | { kind: 'status'; status: number }
  | { kind: 'unreachable'; reason: string };

export interface RobotsRules {
  allows(url: string): boolean;
  /** Seconds the site asks crawlers to wait between requests, if it says. */
  crawlDelaySeconds: number | null;
  /** Why everything is disallowed, when it is because robots.txt could not be read. */
  note: string | null;
}

/**
 * RFC 9309: a robots.txt that is missing (4xx) allows everything; one that cannot be read (5xx, no
 * answer) disallows everything until it can; otherwise its groups for `token` (or `*`) decide.
 */
export function robotsRules(origin: string, fetched: RobotsFetch, token: string): RobotsRules {
  if (fetched.kind === 'status' && fetched.status >= 400 && fetched.status < 500)
    return { allows: () => true, crawlDelaySeconds: null, note: null };
  if (fetched.kind !== 'ok') {
    const why = fetched.kind === 'status' ? `answered ${fetched.status}` : fetched.reason;
    return { allows: () => false, crawlDelaySeconds: null, note: `${origin}/robots.txt ${why}` };
  }
  const robots = robotsParser(`${origin}/robots.txt`, fetched.body);
  const delay = robots.getCrawlDelay(token);
  return {
    allows: (url) => robots.isAllowed(url, token) !== false,
    crawlDelaySeconds: typeof delay === 'number' && Number.isFinite(delay) && delay > 0 ? delay : null,
    note: null,
  };
}
