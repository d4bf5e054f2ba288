import * as z from 'zod';

/** Field schemas shared by digests.yaml and site.yaml. */

/**
 * Ids of digests, themes and feed sources: lower-case letters, digits and dashes, at most 63, so they
 * travel as they are in URLs, file names, tokens and table keys.
 */
export const ID_PATTERN = '[a-z0-9][a-z0-9-]{0,62}';
export const idSchema = z
  .string()
  .regex(new RegExp(`^${ID_PATTERN}$`), 'must be lower-case letters, digits and dashes (at most 63)');

export const emailAddress = z
  .string()
  .max(254)
  .regex(
    /^[^\s@<>()",;:\\]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/,
    'must be a plain email address',
  );

/** No line breaks or control characters: these values end up in mail headers. */
export const headerSafe = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .refine(
      (value) => !/[\u0000-\u001F\u007F]/.test(value),
      'must not contain line breaks or control characters',
    );

export const senderSchema = z.strictObject({
  name: headerSafe(64),
  address: emailAddress,
  replyTo: emailAddress.optional(),
});
export type Sender = z.infer<typeof senderSchema>;

/** Lower-cased on the way in, so a colour compares and prints one way. */
export const hexColour = z
  .string({ error: 'expected a #rrggbb colour' })
  .regex(/^#[0-9a-fA-F]{6}$/, 'expected a #rrggbb colour')
  .transform((value) => value.toLowerCase());

export const httpUrl = z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' });
