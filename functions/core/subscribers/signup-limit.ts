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
  /** The counter of this network in this hour. */
  counterKey: string;
  /** When the hour is over and the count starts again. */
  endsAt: Date;
}

/** The clock hour `now` falls in, for `network`. */
export function signupWindow(network: string, now: Date): SignupWindow {
  const start = Math.floor(now.getTime() / HOUR_MS) * HOUR_MS;
  return {
    counterKey: `signups#${network}#${new Date(start).toISOString().slice(0, 13)}`,
    endsAt: new Date(start + HOUR_MS),
  };
}
