import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import * as z from 'zod';

/** `expected.yaml` of a gold corpus (see eval/FORMAT.md). */
const datePattern = /^\d{4}(-\d{2}(-\d{2})?)?$/;

const expectedStorySchema = z.strictObject({
  id: z.string().min(1),
  theme: z.string().min(1),
  articles: z.array(z.string().min(1)).min(1),
  optional: z.array(z.string().min(1)).default([]),
  date: z
    .union([z.string(), z.number(), z.date()])
    .transform((value) => (value instanceof Date ? value.toISOString().slice(0, 10) : String(value)))
    .pipe(z.string().regex(datePattern, 'must be YYYY, YYYY-MM or YYYY-MM-DD'))
    .optional(),
  place: z.string().min(1).optional(),
  headlineAny: z.array(z.string().min(1)).default([]),
});
export type ExpectedStory = z.infer<typeof expectedStorySchema>;

const expectedSchema = z.strictObject({
  /** Folder with themes.yaml, digests.yaml and articles/, relative to the repository (default: the corpus folder). */
  content: z.string().min(1).optional(),
  /** Digest to build (default `eval`). */
  digest: z.string().min(1).default('eval'),
  stories: z.array(expectedStorySchema).min(1),
  apart: z.array(z.tuple([z.string(), z.string()])).default([]),
  offTopic: z.array(z.string()).default([]),
  noMatchThemes: z.array(z.string()).default([]),
});
export type Expected = z.infer<typeof expectedSchema>;

/** Reads and validates an expected.yaml; an error names the file and the path of the problem. */
export async function readExpected(file: string): Promise<Expected> {
  const raw = parseYaml(await readFile(file, 'utf8'));
  const parsed = expectedSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${file}: ${issue?.path.join('.') || '(root)'}: ${issue?.message}`);
  }
  const ids = new Set(parsed.data.stories.map((s) => s.id));
  for (const [a, b] of parsed.data.apart) {
    for (const id of [a, b]) if (!ids.has(id)) throw new Error(`${file}: apart: unknown story "${id}"`);
  }
  return parsed.data;
}
