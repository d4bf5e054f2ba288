import { describe, expect, it } from 'vitest';
import { emptyEngagement } from '../../functions/core/tracking/engagement.ts';
import { engagementReport, reportLines } from '../../functions/core/tracking/report.ts';
import { engagementLines } from '../../local/commands/issues.ts';

const links = [
  { url: 'https://news.example/a', story: 'Summit in Oslo', section: 'Summits' },
  { url: 'https://news.example/b', story: 'Summit in Oslo', section: 'Summits' },
  { url: 'https://news.example/c', story: 'Sanctions eased', section: 'Sanctions' },
  { url: 'https://news.example/archive/x.html', story: null, section: null },
];

describe("an issue's numbers", () => {
  const engagement = {
    ...emptyEngagement(),
    delivered: 8,
    bounced: 2,
    uniqueOpens: 4,
    opens: 9,
    uniqueClicks: 3,
    clicks: 5,
    unsubscribed: 1,
    linkClicks: [2, 1, 0, 1],
  };

  it('sums clicks per story over its links and takes rates of the delivered', () => {
    const report = engagementReport({ engagement, sent: 10, tracking: { clicks: true, opens: true }, links });
    expect(report.stories).toEqual([
      { story: 'Summit in Oslo', section: 'Summits', clicks: 3 },
      { story: 'Sanctions eased', section: 'Sanctions', clicks: 0 },
    ]);
    expect(report.rates).toEqual({ delivered: 0.8, opened: 0.5, clicked: 0.375, unsubscribed: 0.125 });
  });

  it('has no open or click rate for what is not tracked, and rates of sent before any delivery', () => {
    const report = engagementReport({
      engagement: { ...engagement, delivered: 0 },
      sent: 10,
      tracking: { clicks: true, opens: false },
      links,
    });
    expect(report.rates.opened).toBeNull();
    expect(report.rates.clicked).toBe(0.3);
  });

  it('prints them for broadsheet issues ID, most-clicked story first, from the API answer', () => {
    const report = engagementReport({ engagement, sent: 10, tracking: { clicks: true, opens: true }, links });
    expect(reportLines(report)).toEqual([
      'delivered 8 (80.0% of sent)  bounced 2  complained 0  unsubscribed 1',
      'opened 4 (50.0%; 9 opens, an estimate: see docs/analytics.md)',
      'clicked 3 (37.5%; 5 clicks)',
      '       3  Summit in Oslo',
      '       1  https://news.example/archive/x.html',
    ]);
    expect(engagementLines({ issue: {}, engagement: JSON.parse(JSON.stringify(report)) })).toEqual(
      reportLines(report),
    );
    expect(engagementLines({ issue: {} })).toEqual([]);
  });
});
