import * as z from 'zod';

export const blockSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('paragraph'), text: z.string().min(1) }),
  z.object({ type: z.literal('list'), items: z.array(z.string().min(1)).min(1) }),
]);
export type Block = z.infer<typeof blockSchema>;

export const sectionSchema = z.object({
  /** `null` for the text before the first heading. */
  heading: z.string().min(1).nullable(),
  blocks: z.array(blockSchema).min(1),
});
export type Section = z.infer<typeof sectionSchema>;

export const articleSchema = z.object({
  /** Stable id: the file name without its extension. */
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/),
  file: z.string().min(1),
  format: z.enum(['text', 'markdown']),
  title: z.string().min(1),
  /** True when the file had no title and one was derived from its text. */
  titleDerived: z.boolean(),
  author: z.string().min(1).nullable(),
  views: z.number().int().nonnegative().nullable(),
  /** ISO date (YYYY-MM-DD) when the article says when it was written. */
  date: z.iso.date().nullable(),
  /** http(s) address of the original, when the article names one. */
  url: z.url({ protocol: /^https?$/ }).nullable(),
  /** The outlet that published it (front matter `source`), credited in emails. */
  outlet: z.string().min(1).optional(),
  tags: z.array(z.string().min(1)),
  sections: z.array(sectionSchema).min(1),
  words: z.number().int().positive(),
  readingMinutes: z.number().int().positive(),
});
export type Article = z.infer<typeof articleSchema>;

/** A raw article file as a content source hands it over. */
export interface ArticleFile {
  /** File name relative to the articles folder, e.g. `000_hamburg.txt`. */
  name: string;
  bytes: Uint8Array;
}
