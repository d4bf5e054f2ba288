import ipaddr from 'ipaddr.js';

/**
 * How many sign-ups one network may ask for per hour. The confirmation cool-down keeps one address
 * from being mailed over and over; this keeps one client from making Broadsheet mail thousands of
 * addresses that never asked (each a likely complaint against the sender). A network is an IPv4
 * address or an IPv6 /64, the block one household or machine usually gets.
 */

const HOUR_MS = 3600_000;

/**
 * The network a request came from, as counted: the IPv4 address, or the /64 of an IPv6 address (an
 * IPv4-mapped IPv6 address counts as its IPv4 address); null for anything that is no IP address.
 */
export function signupNetwork(sourceIp: string): string | null {
  const ip = sourceIp.trim();
  if (!ipaddr.isValid(ip)) return null;
  const parsed = ipaddr.process(ip);
  if (parsed.kind() === 'ipv4') return parsed.toString();
  const groups = (parsed as ipaddr.IPv6).parts.slice(0, 4).map((part) => part.toString(16));
  return `${groups.join(':')}::/64`;
}

export interface SignupWindow {
  /** The counter of this network in this clock hour. */
  counterKey: string;
  /** The counter of this network in the clock hour before. */
  previousKey: string;
  /** When this hour is over. */
  endsAt: Date;
  /** This hour's counter is read as the previous one through the next hour, then forgotten. */
  counterExpiresAt: Date;
  /** How far into the hour `now` is: 0 at its start, approaching 1 at its end. */
  elapsed: number;
}

function hourKey(network: string, start: number): string {
  return `signups#${network}#${new Date(start).toISOString().slice(0, 13)}`;
}

/** The clock hour `now` falls in, for `network`. */
export function signupWindow(network: string, now: Date): SignupWindow {
  const start = Math.floor(now.getTime() / HOUR_MS) * HOUR_MS;
  return {
    counterKey: hourKey(network, start),
    previousKey: hourKey(network, start - HOUR_MS),
    endsAt: new Date(start + HOUR_MS),
    counterExpiresAt: new Date(start + 2 * HOUR_MS),
    elapsed: (now.getTime() - start) / HOUR_MS,
  };
}

export type SignupDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/** Rounding slack, so a client that waits exactly as long as told is let in and told no longer. */
const EPSILON = 1e-9;

/**
 * The most sign-ups this hour's counter may reach at the window's moment: the sign-ups of the last 60
 * minutes are estimated as this hour's plus the share of the previous hour's that those 60 minutes
 * still cover. Clock hours alone would let a burst at the end of one hour and another at the start of
 * the next reach twice the limit.
 */
export function signupCap(window: SignupWindow, previous: number, limit: number): number {
  return Math.floor(limit - previous * (1 - window.elapsed) + EPSILON);
}

/**
 * Whether a sign-up may go on, given this hour's count (including this request) and the previous
 * hour's (see `signupCap`). Refused requests are not counted, so a refusal says how long until this
 * same request would fit, if no other came in between: retrying sooner changes nothing.
 */
export function signupDecision(
  window: SignupWindow,
  counts: { current: number; previous: number },
  limit: number,
): SignupDecision {
  const { current, previous } = counts;
  if (current <= signupCap(window, previous, limit)) return { allowed: true };
  const room = limit - current;
  // Room left (then previous > 0): wait until enough of the previous hour's share has gone. This hour
  // full: wait for the next one, and until the share of this hour's count (the requests before this
  // one) leaves room for one.
  const waitHours =
    room >= 0 ? 1 - room / previous - window.elapsed : 1 - window.elapsed + 1 - (limit - 1) / (current - 1);
  return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(waitHours * 3600 - EPSILON)) };
}
