import * as z from 'zod';
import { idSchema } from '../content/fields.ts';

export const SUBSCRIBER_STATUSES = ['pending', 'confirmed', 'unsubscribed', 'suppressed'] as const;
export type SubscriberStatus = (typeof SUBSCRIBER_STATUSES)[number];

/** How consent was given: the signup form, the JSON API, a CSV import, or an operator on the CLI. */
export const CONSENT_METHODS = ['form', 'api', 'import', 'operator'] as const;
export type ConsentMethod = (typeof CONSENT_METHODS)[number];

/** `soft-bounce`: the address bounced softly issue after issue with no delivery between (see lifecycle.ts). */
export const SUPPRESSION_REASONS = ['bounce', 'soft-bounce', 'complaint', 'rejected', 'operator'] as const;
export type SuppressionReason = (typeof SUPPRESSION_REASONS)[number];

const isoTime = z.iso.datetime({ offset: true });

export const subscriberIdSchema = z.string().regex(/^[a-z2-7]{26}$/, 'not a subscriber id');
export const digestIdSchema = idSchema;

export const consentSchema = z.strictObject({
  method: z.enum(CONSENT_METHODS),
  /** When the subscription was asked for. */
  requestedAt: isoTime,
  /** When the address owner confirmed it (double opt-in), or when an import/operator vouched for it. */
  confirmedAt: isoTime.optional(),
  /** Which form, page or file it came from (e.g. `signup-page`, `import:list.csv`). */
  source: z.string().max(200).optional(),
  /** Address the request came from, kept as evidence of consent. */
  ip: z.string().max(64).optional(),
});
export type Consent = z.infer<typeof consentSchema>;

/** A change of digests asked for by someone with the address, waiting for the owner to confirm it. */
export const subscriptionRequestSchema = z.strictObject({
  digests: z.array(digestIdSchema),
  consent: consentSchema,
});
export type SubscriptionRequest = z.infer<typeof subscriptionRequestSchema>;

export const suppressionSchema = z.strictObject({
  reason: z.enum(SUPPRESSION_REASONS),
  at: isoTime,
  detail: z.string().max(500).optional(),
});
export type Suppression = z.infer<typeof suppressionSchema>;

export const subscriberSchema = z.strictObject({
  id: subscriberIdSchema,
  /** Normalised (see email.ts); unique across subscribers. */
  email: z.string().min(3).max(254),
  name: z.string().max(100).optional(),
  status: z.enum(SUBSCRIBER_STATUSES),
  /** The digests the subscriber receives (once confirmed) or asked for (while pending). */
  digests: z.array(digestIdSchema),
  consent: consentSchema,
  /** Only for confirmed or unsubscribed subscribers who asked for (other) digests again. */
  request: subscriptionRequestSchema.optional(),
  suppression: suppressionSchema.optional(),
  createdAt: isoTime,
  updatedAt: isoTime,
  confirmedAt: isoTime.optional(),
  unsubscribedAt: isoTime.optional(),
  /** Last time a confirmation email was sent (or claimed for sending): the re-send cool-down. */
  confirmationSentAt: isoTime.optional(),
  /** A welcome email is owed (set on confirmation; cleared when one is claimed for sending). */
  welcomeDue: z.boolean(),
  welcomeSentAt: isoTime.optional(),
  /** Soft bounces since the address last took a delivery. */
  softBounces: z.number().int().nonnegative(),
  /** The first of those soft bounces; absent when there are none. */
  firstSoftBounceAt: isoTime.optional(),
  lastSoftBounceAt: isoTime.optional(),
  /** Pending sign-ups are deleted after this (DynamoDB TTL); absent for every other status. */
  expiresAt: isoTime.optional(),
  /** Incremented on every write: the condition of optimistic concurrency. */
  version: z.number().int().nonnegative(),
});
export type Subscriber = z.infer<typeof subscriberSchema>;

/** What a sender needs about one recipient of a digest. */
export interface Recipient {
  id: string;
  email: string;
  name?: string;
}

/** The digests a subscriber is mailed: none unless confirmed. */
export function activeDigests(subscriber: Subscriber): string[] {
  return subscriber.status === 'confirmed' ? subscriber.digests : [];
}

export const NAME_MAX_LENGTH = 100;

/** A display name as typed: trimmed, no control characters (it may end up in a header), at most 100. */
export const subscriberNameSchema = z
  .string()
  .trim()
  .max(NAME_MAX_LENGTH, `must be at most ${NAME_MAX_LENGTH} characters`)
  .refine((v) => !/[\u0000-\u001F\u007F<>]/.test(v), 'must not contain line breaks, control characters or <>')
  .transform((v) => (v === '' ? undefined : v));
