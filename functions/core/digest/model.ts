import * as z from 'zod';

/**
 * The digest of one issue: what the engine produces and the renderer consumes.
 * Everything in it is plain text taken from articles: data, never markup or template.
 */

export const sourceSchema = z.object({
  /** Article id. */
  id: z.string().min(1),
  title: z.string().min(1),
  author: z.string().nullable(),
  /** http(s) link to the original, when the article names one. */
  url: z.url({ protocol: /^https?$/ }).nullable(),
  /** The outlet that published it (a feed's `name`), credited beside the title. */
  outlet: z.string().min(1).optional(),
  file: z.string().min(1),
  /**
   * Id of the source this one is a near-identical copy of (syndicated wire copy), credited with it as
   * "X and N similar reports"; `null` for an original.
   */
  copyOf: z.string().min(1).nullable().default(null),
});
export type Source = z.infer<typeof sourceSchema>;

export const passageRefSchema = z.object({
  articleId: z.string().min(1),
  /** Heading of the section the passage comes from, if any. */
  heading: z.string().nullable(),
  /** Index of the passage within its article (stable across runs). */
  index: z.number().int().nonnegative(),
  /** Relevance of the passage to every theme of the digest, rounded to 4 decimals: why it was chosen. */
  themeScores: z.record(z.string(), z.number()),
});
export type PassageRef = z.infer<typeof passageRefSchema>;

export const storySchema = z.object({
  id: z.string().min(1),
  headline: z.string().min(1),
  /** 2–4 complete sentences, extractive. */
  summary: z.array(z.string().min(1)).min(1).max(4),
  /** Ids of the articles this story draws on (keys of `Digest.sources`), in credit order. */
  sourceIds: z.array(z.string().min(1)).min(1),
  /**
   * Relevance of the story to its section's theme: the sum, over its sources, of the BM25 score of each
   * source's most relevant passage (see `passages[].themeScores`). Stories are ranked by it.
   */
  score: z.number(),
  passages: z.array(passageRefSchema).min(1),
});
export type Story = z.infer<typeof storySchema>;

export const sectionSchema = z.object({
  themeId: z.string().min(1),
  title: z.string().min(1),
  description: z.string(),
  stories: z.array(storySchema),
});
export type DigestSection = z.infer<typeof sectionSchema>;

export const keyFactSchema = z.object({
  /** As written for a reader: "July 2018", "2 August 2017", "2016". */
  when: z.string().min(1),
  /** Sortable form: "2018-07", "2017-08-02", "2016". */
  sortKey: z.string().regex(/^\d{4}(-\d{2}(-\d{2})?)?$/),
  place: z.string().nullable(),
  text: z.string().min(1),
  sourceIds: z.array(z.string().min(1)).min(1),
});
export type KeyFact = z.infer<typeof keyFactSchema>;

export const digestSchema = z.object({
  schemaVersion: z.literal(1),
  digestId: z.string().min(1),
  title: z.string().min(1),
  description: z.string(),
  /** ISO date the issue is for (the scheduled date). */
  issueDate: z.iso.date(),
  /** `nothing-new`: no article since the digest's last issue; `no-match`: new articles, none on the digest's themes. The sender skips both. */
  status: z.enum(['ready', 'nothing-new', 'no-match']),
  subject: z.string().min(1).max(78),
  /** 40–110 characters when ready. */
  preheader: z.string().max(110),
  readingMinutes: z.number().int().nonnegative(),
  counts: z.object({
    articles: z.number().int().nonnegative(),
    passages: z.number().int().nonnegative(),
    stories: z.number().int().nonnegative(),
    sources: z.number().int().nonnegative(),
  }),
  sections: z.array(sectionSchema),
  keyFacts: z.array(keyFactSchema),
  sources: z.array(sourceSchema),
  /**
   * Articles this issue includes: every article that was new for it (credited or not, e.g. one that fits
   * none of the digest's themes), recorded so the next issue knows what is new. Sorted by id.
   */
  articleIds: z.array(z.string().min(1)),
});
export type Digest = z.infer<typeof digestSchema>;

export function digestJsonSchema(): unknown {
  return z.toJSONSchema(digestSchema, { target: 'draft-2020-12' });
}
