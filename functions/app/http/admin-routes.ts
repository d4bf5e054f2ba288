import { barChart, hourChart } from '../../core/console/charts.ts';
import type { ContentSource } from '../../core/ports.ts';
import { SLOT_CLOSE, SLOT_OPEN } from '../../core/render/issue-template.ts';
import { type IssueRecord, issueIdSchema } from '../../core/sending/issue.ts';
import type { IssueEmail } from '../../core/sending/issue-email.ts';
import type { IssueQueries, RecordedTally } from '../../core/sending/ports.ts';
import { emptyEngagement, type IssueEngagement } from '../../core/tracking/engagement.ts';
import { DEFAULT_TRACKING } from '../../core/tracking/links.ts';
import { engagementReport } from '../../core/tracking/report.ts';
import type { Urls } from '../../core/urls.ts';
import { type AdminAuthDeps, adminAuth } from './admin-auth.ts';
import { digestConfigs } from './admin-people.ts';
import type { HttpRequest } from './event.ts';
import { messagePage } from './pages.ts';
import type { HttpResponse, Pages } from './responses.ts';

export interface AdminDeps extends AdminAuthDeps {
  issues: IssueQueries;
  engagement: {
    read(issueId: string): Promise<IssueEngagement>;
    readMany(issueIds: readonly string[]): Promise<Map<string, IssueEngagement>>;
  };
  loadEmail(issueId: string): Promise<IssueEmail | null>;
  /** The issue's batch tallies: who is `unknown` or `rejected`. */
  tallies(issueId: string): Promise<RecordedTally[]>;
  archiveBaseUrl: Urls['archiveBaseUrl'];
  /** The content config: what each digest tracks now (the issues list shows no rate it does not count). */
  content?: ContentSource;
}

const percent = (value: number | null) => (value === null ? '–' : `${(value * 100).toFixed(1)} %`);
const LIST_SIZE = 50;

function progress(issue: IssueRecord): number {
  const c = issue.counts;
  const done = c.sent + c.rejected + c.skipped + c.unknown + c.failed;
  if (c.recipients === 0) return issue.status === 'sent' ? 100 : 0;
  return Math.min(100, Math.floor((done / c.recipients) * 100));
}

/** The email as it went out, as text: every reader's own values shown as ⟨placeholders⟩, links as sent. */
function emailText(email: IssueEmail): string {
  const links = email.links ?? [];
  return email.template.text.replace(
    new RegExp(`${SLOT_OPEN}([A-Za-z0-9]+)${SLOT_CLOSE}`, 'g'),
    (_, name: string) => {
      const link = /^L(\d+)$/.exec(name);
      return link ? (links[Number(link[1])]?.url ?? '⟨link⟩') : `⟨${name}⟩`;
    },
  );
}

/** A URL short enough for a narrow screen: host and the start of the path. */
function shortUrl(url: string): string {
  const { host, pathname } = new URL(url);
  const path = pathname.length > 28 ? `${pathname.slice(0, 27)}…` : pathname;
  return `${host}${path === '/' ? '' : path}`;
}

export function adminRoutes(deps: AdminDeps) {
  const auth = adminAuth(deps);

  async function issues(request: HttpRequest, pages: Pages): Promise<HttpResponse> {
    const authed = await auth.require(request, pages);
    if (!authed.ok) return authed.response;
    const records = await deps.issues.listRecent({ limit: LIST_SIZE });
    const numbers = await deps.engagement.readMany(records.map((r) => r.issueId));
    const configured = deps.content ? (await digestConfigs(deps.content)).digests : [];
    const trackingOf = (digestId: string) =>
      configured.find((d) => d.id === digestId)?.tracking ?? DEFAULT_TRACKING;
    const rows = records.map((issue) => {
      const report = engagementReport({
        engagement: numbers.get(issue.issueId) ?? emptyEngagement(),
        sent: issue.counts.sent,
        tracking: trackingOf(issue.digestId),
        links: [],
      });
      return {
        issueId: issue.issueId,
        href: `/admin/issues/${encodeURIComponent(issue.issueId)}`,
        subject: issue.subject ?? issue.reason ?? '',
        status: issue.status,
        test: issue.test,
        createdAt: issue.createdAt.slice(0, 16).replace('T', ' '),
        progress: progress(issue),
        sent: issue.counts.sent,
        recipients: issue.counts.recipients,
        delivered: percent(report.rates.delivered),
        opened: percent(report.rates.opened),
        clicked: percent(report.rates.clicked),
        unknown: issue.counts.unknown,
      };
    });
    return pages.respond(200, {
      page: 'admin/issues',
      view: { title: 'Issues', rows, csrf: authed.csrf, empty: rows.length === 0 },
    });
  }

  async function issue(request: HttpRequest, pages: Pages): Promise<HttpResponse> {
    const authed = await auth.require(request, pages);
    if (!authed.ok) return authed.response;
    const issueId = decodeURIComponent(request.path.slice('/admin/issues/'.length));
    const record = issueIdSchema.safeParse(issueId).success ? await deps.issues.get(issueId) : null;
    if (record === null)
      return pages.respond(
        404,
        messagePage('No such issue', [issueId], [{ href: '/admin', text: 'Issues' }]),
      );
    const [numbers, email, tallies] = await Promise.all([
      deps.engagement.read(issueId),
      deps.loadEmail(issueId),
      record.counts.unknown + record.counts.rejected > 0 ? deps.tallies(issueId) : Promise.resolve([]),
    ]);
    const report = engagementReport({
      engagement: numbers,
      sent: record.counts.sent,
      tracking: email?.tracking,
      links: email?.links ?? [],
    });
    const stories = barChart(report.stories.map((s) => ({ label: s.story, value: s.clicks })));
    const hours = hourChart([
      { name: 'opened', perHour: report.opensByHour },
      { name: 'clicked', perHour: report.clicksByHour },
    ]);
    return pages.respond(200, {
      page: 'admin/issue',
      view: {
        title: record.subject ?? issueId,
        issueId,
        status: record.status,
        test: record.test,
        counts: record.counts,
        progress: progress(record),
        report,
        rates: {
          delivered: percent(report.rates.delivered),
          opened: percent(report.rates.opened),
          clicked: percent(report.rates.clicked),
          unsubscribed: percent(report.rates.unsubscribed),
        },
        storyChart: report.stories.length > 0 ? stories : null,
        hourChart: hours,
        links: report.links.map((link) => ({ ...link, label: shortUrl(link.url) })),
        unknown: tallies.flatMap((t) => t.unknownKeys),
        rejected: tallies.flatMap((t) => t.rejectedKeys),
        emailText: email === null ? null : emailText(email),
        archiveUrl: `${deps.archiveBaseUrl}/issues/${encodeURIComponent(issueId)}.html`,
        csrf: authed.csrf,
      },
    });
  }

  return { issues, issue, signIn: auth.signIn, signOut: auth.signOut };
}
