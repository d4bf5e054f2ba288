import * as z from 'zod';
import type { Digest } from '../digest/model.ts';
import { type IssueTemplate, linkSlot, OPEN_PIXEL_SLOT } from '../render/issue-template.ts';

/** Per digest in digests.yaml: `tracking: { clicks: true, opens: false }` (these are the defaults). */
export const trackingConfigSchema = z
  .strictObject({ clicks: z.boolean().default(true), opens: z.boolean().default(false) })
  .default({ clicks: true, opens: false });
export type TrackingConfig = z.infer<typeof trackingConfigSchema>;

export const NO_TRACKING: TrackingConfig = { clicks: false, opens: false };
/** What a digest tracks when digests.yaml does not say. */
export const DEFAULT_TRACKING: TrackingConfig = { clicks: true, opens: false };

/** A link of an issue, by index: where the redirect goes, and what it belongs to (for the numbers). */
export const trackedLinkSchema = z.object({
  url: z.url({ protocol: /^https?$/ }),
  /** The headline of the first story that links there, or null (the web edition, a section's "more"). */
  story: z.string().nullable(),
  section: z.string().nullable(),
});
export type TrackedLink = z.infer<typeof trackedLinkSchema>;

const HREF = /(<a\b[^>]*?\shref=")(https?:\/\/[^"]+)(")/gi;
const TEXT_URL = /https?:\/\/[^\s<>"]+/g;
const ENTITY = /&(amp|lt|gt|quot|#39|#x27|#123|#125|#(\d+));/g;
const ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  '#39': "'",
  '#x27': "'",
  '#123': '{',
  '#125': '}',
};

function unescapeAttribute(value: string): string {
  return value.replace(ENTITY, (_, name: string, code?: string) =>
    code === undefined ? (ENTITIES[name] ?? '') : String.fromCodePoint(Number(code)),
  );
}

function normalised(url: string): string | null {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : null;
  } catch {
    return null;
  }
}

/** Each source URL to the first story (in reading order) that credits it. */
function storiesByUrl(digest: Digest): Map<string, { story: string; section: string }> {
  const sources = new Map(digest.sources.map((source) => [source.id, source]));
  const byUrl = new Map<string, { story: string; section: string }>();
  for (const section of digest.sections) {
    for (const story of section.stories) {
      for (const id of story.sourceIds) {
        const url = normalised(sources.get(id)?.url ?? '');
        if (url !== null && !byUrl.has(url))
          byUrl.set(url, { story: story.headline, section: section.title });
      }
    }
  }
  return byUrl;
}

export interface TrackedTemplate {
  template: IssueTemplate;
  /** Empty when clicks are not tracked. */
  links: TrackedLink[];
}

/**
 * Rendered once per issue: every http(s) link of the HTML (an `<a href>`) and of the plain text
 * becomes a link slot (one index per distinct URL, shared by both parts), and the HTML gets the open
 * pixel's slot before `</body>`. Slots already there (unsubscribe, preferences) stay slots.
 */
export function trackTemplate(
  template: IssueTemplate,
  digest: Digest,
  config: TrackingConfig,
): TrackedTemplate {
  const links: TrackedLink[] = [];
  let html = template.html;
  let text = template.text;
  if (config.clicks) {
    const stories = storiesByUrl(digest);
    const indexes = new Map<string, number>();
    const indexOf = (raw: string): number | null => {
      const url = normalised(raw);
      if (url === null) return null;
      let index = indexes.get(url);
      if (index === undefined) {
        const story = stories.get(url);
        index = links.push({ url, story: story?.story ?? null, section: story?.section ?? null }) - 1;
        indexes.set(url, index);
      }
      return index;
    };
    html = html.replace(HREF, (whole, before: string, url: string, after: string) => {
      const index = indexOf(unescapeAttribute(url));
      return index === null ? whole : `${before}${linkSlot(index)}${after}`;
    });
    text = text.replace(TEXT_URL, (url) => {
      const index = indexOf(url);
      return index === null ? url : linkSlot(index);
    });
  }
  if (config.opens) {
    const end = html.lastIndexOf('</body>');
    html =
      end === -1 ? `${html}${OPEN_PIXEL_SLOT}` : `${html.slice(0, end)}${OPEN_PIXEL_SLOT}${html.slice(end)}`;
  }
  return { template: { ...template, html, text }, links };
}
