/**
 * Whether a request to a tracked link or pixel is a machine's, not a reader's. Such a request is still
 * answered (a scanner that gets a 404 may quarantine the email) but counts nothing:
 *
 * 1. Any method but GET (scanners check links with HEAD).
 * 2. No User-Agent, or one of a known link scanner, preview bot or HTTP library.
 * 3. A click within `scanWindowSeconds` of the send: mail security gateways (Defender Safe Links,
 *    Proofpoint, Mimecast, Barracuda…) fetch every link as a message arrives, often with an ordinary
 *    browser's User-Agent; a person cannot open an email and click a link that fast. Opens are not
 *    judged by time (an open soon after delivery is what a reader does).
 *
 * Image proxies that fetch the pixel when the reader opens the email (Gmail's GoogleImageProxy, Yahoo's)
 * are opens, not scanners. Apple Mail Privacy Protection fetches every pixel whether the email is read
 * or not and cannot be told apart: see docs/analytics.md on why opens are unreliable.
 */
export const SCANNER_AGENT =
  /barracuda|proofpoint|mimecast|safelinks|safe links|bingpreview|microsoft office protection|ms-office|symantec|messagelabs|trend ?micro|fireeye|forcepoint|sophos|ironport|cisco|zscaler|paloalto|checkpoint|avanan|fortinet|fortiguard|google-safety|virustotal|urlscan|headlesschrome|phantomjs|python-requests|python-urllib|aiohttp|curl\/|wget|go-http-client|okhttp|java\/|libwww|httpclient|axios|node-fetch|undici|facebookexternalhit|slackbot|twitterbot|linkedinbot|whatsapp|telegrambot|discordbot|skypeuripreview|embedly|quora link preview|crawler|spider|bot\b|bot\/|preview/i;

const IMAGE_PROXY = /googleimageproxy|yahoomailproxy|ymailproxy/i;

export const DEFAULT_SCAN_WINDOW_SECONDS = 10;

export interface TrackedRequest {
  method: string;
  userAgent: string | undefined;
  kind: 'click' | 'open';
  now: Date;
  /** When the email was sent (from the token). */
  sentAt: Date;
}

export type PrefetchVerdict = { prefetch: false } | { prefetch: true; reason: string };

export function judgeRequest(request: TrackedRequest, scanWindowSeconds: number): PrefetchVerdict {
  if (request.method !== 'GET') return { prefetch: true, reason: `${request.method} request` };
  const agent = request.userAgent?.trim() ?? '';
  if (agent === '') return { prefetch: true, reason: 'no user agent' };
  if (!(request.kind === 'open' && IMAGE_PROXY.test(agent)) && SCANNER_AGENT.test(agent))
    return { prefetch: true, reason: 'scanner user agent' };
  const sinceSend = (request.now.getTime() - request.sentAt.getTime()) / 1000;
  if (request.kind === 'click' && sinceSend < scanWindowSeconds)
    return { prefetch: true, reason: `clicked ${Math.max(0, Math.round(sinceSend))} s after sending` };
  return { prefetch: false };
}
