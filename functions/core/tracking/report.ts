import * as z from 'zod';
import { type IssueEngagement, rate } from './engagement.ts';
import type { TrackedLink, TrackingConfig } from './links.ts';

const count = z.number().int().nonnegative();
const share = z.number().min(0).max(1).nullable();

/** One issue's numbers as the operator API, the CLI and the console show them. */
export const engagementReportSchema = z.object({
  tracking: z.object({ clicks: z.boolean(), opens: z.boolean() }),
  sent: count,
  delivered: count,
  bounced: count,
  complained: count,
  uniqueOpens: count,
  uniqueClicks: count,
  opens: count,
  clicks: count,
  unsubscribed: count,
  /**
   * Shares of the base: delivered of sent; opened, clicked, unsubscribed of delivered (of sent while
   * no delivery is reported). Null when the base is 0 or the thing is not tracked.
   */
  rates: z.object({ delivered: share, opened: share, clicked: share, unsubscribed: share }),
  /** Recipients who clicked each link; and per story, the sum over its links. */
  links: z.array(
    z.object({
      index: count,
      url: z.string(),
      story: z.string().nullable(),
      section: z.string().nullable(),
      clicks: count,
    }),
  ),
  stories: z.array(z.object({ story: z.string(), section: z.string().nullable(), clicks: count })),
  opensByHour: z.array(count),
  clicksByHour: z.array(count),
});
export type EngagementReport = z.infer<typeof engagementReportSchema>;

export function engagementReport(input: {
  engagement: IssueEngagement;
  sent: number;
  tracking: TrackingConfig | undefined;
  links: readonly TrackedLink[];
}): EngagementReport {
  const { engagement: e, sent } = input;
  const tracking = input.tracking ?? { clicks: false, opens: false };
  const base = e.delivered > 0 ? e.delivered : sent;
  const links = input.links.map((link, index) => ({
    index,
    url: link.url,
    story: link.story,
    section: link.section,
    clicks: e.linkClicks[index] ?? 0,
  }));
  const stories = new Map<string, { story: string; section: string | null; clicks: number }>();
  for (const link of links) {
    if (link.story === null) continue;
    const entry = stories.get(link.story) ?? { story: link.story, section: link.section, clicks: 0 };
    entry.clicks += link.clicks;
    stories.set(link.story, entry);
  }
  return {
    tracking,
    sent,
    delivered: e.delivered,
    bounced: e.bounced,
    complained: e.complained,
    uniqueOpens: e.uniqueOpens,
    uniqueClicks: e.uniqueClicks,
    opens: e.opens,
    clicks: e.clicks,
    unsubscribed: e.unsubscribed,
    rates: {
      delivered: rate(e.delivered, sent),
      opened: tracking.opens ? rate(e.uniqueOpens, base) : null,
      clicked: tracking.clicks ? rate(e.uniqueClicks, base) : null,
      unsubscribed: rate(e.unsubscribed, base),
    },
    links,
    stories: [...stories.values()],
    opensByHour: e.opensByHour,
    clicksByHour: e.clicksByHour,
  };
}

function percent(value: number | null): string {
  return value === null ? '–' : `${(value * 100).toFixed(1)}%`;
}

/** The numbers as text lines (the CLI), most telling first. */
export function reportLines(report: EngagementReport): string[] {
  const n = (v: number) => v.toLocaleString('en');
  const lines = [
    `delivered ${n(report.delivered)} (${percent(report.rates.delivered)} of sent)  bounced ${n(report.bounced)}  complained ${n(report.complained)}  unsubscribed ${n(report.unsubscribed)}`,
    report.tracking.opens
      ? `opened ${n(report.uniqueOpens)} (${percent(report.rates.opened)}; ${n(report.opens)} opens, an estimate: see docs/analytics.md)`
      : 'opens not tracked',
    report.tracking.clicks
      ? `clicked ${n(report.uniqueClicks)} (${percent(report.rates.clicked)}; ${n(report.clicks)} clicks)`
      : 'clicks not tracked',
  ];
  for (const story of [...report.stories].sort((a, b) => b.clicks - a.clicks))
    if (story.clicks > 0) lines.push(`  ${n(story.clicks).padStart(6)}  ${story.story}`);
  for (const link of report.links)
    if (link.clicks > 0 && link.story === null) lines.push(`  ${n(link.clicks).padStart(6)}  ${link.url}`);
  return lines;
}
