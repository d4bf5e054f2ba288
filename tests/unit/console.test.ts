import { describe, expect, it } from 'vitest';
import { operatorTokenSource } from '../../functions/adapters/operator-secret.ts';
import { barChart, hourChart } from '../../functions/core/console/charts.ts';
import {
  checkCsrf,
  consoleKey,
  csrfToken,
  newNonce,
  parseCookies,
  signSession,
  verifySession,
} from '../../functions/core/console/session.ts';
import { slot } from '../../functions/core/render/issue-template.ts';
import { emptyCounts, type IssueRecord } from '../../functions/core/sending/issue.ts';
import { emptyEngagement } from '../../functions/core/tracking/engagement.ts';
import { appHarness, httpEvent } from './subscribers-fakes.ts';

const SECRET = 'test-secret-0123456789abcdefghijklmnopqrstuvwxyz';
const OPERATOR = 'operator-token-for-tests';

describe('console sessions and CSRF', () => {
  const key = consoleKey(SECRET, OPERATOR);
  const now = new Date('2026-12-07T10:00:00Z');
  const session = { nonce: newNonce(), expiresAt: new Date('2026-12-07T18:00:00Z') };

  it('accepts its own session until it expires, nothing altered, nothing signed with another operator token', () => {
    const value = signSession(key, session);
    expect(verifySession(key, value, now)).toEqual(session);
    expect(verifySession(key, value, new Date('2026-12-07T18:00:01Z'))).toBeNull();
    expect(
      verifySession(
        key,
        value.replace(/\.(\d+)\./, (_, n: string) => `.${Number(n) + 3600}.`),
        now,
      ),
    ).toBeNull();
    expect(verifySession(consoleKey(SECRET, 'a-new-operator-token'), value, now)).toBeNull();
    expect(verifySession(key, undefined, now)).toBeNull();
  });

  it('binds a CSRF token to its nonce', () => {
    expect(checkCsrf(key, session.nonce, csrfToken(key, session.nonce))).toBe(true);
    expect(checkCsrf(key, newNonce(), csrfToken(key, session.nonce))).toBe(false);
    expect(checkCsrf(key, session.nonce, undefined)).toBe(false);
  });

  it('reads cookies from payload 2.0 cookies and a Cookie header', () => {
    expect(parseCookies(['a=1', 'b=2; c=3']).get('c')).toBe('3');
  });
});

describe('console charts', () => {
  it('scales bars to the largest value and keeps zero bars empty', () => {
    const chart = barChart([
      { label: 'A', value: 4 },
      { label: 'B', value: 0 },
      { label: 'C', value: 2 },
    ]);
    expect(chart.bars.map((b) => b.width)).toEqual([540, 0, 270]);
    expect(chart.height).toBe(3 * 34);
  });

  it('draws cumulative lines over 72 hours', () => {
    const chart = hourChart([{ name: 'clicked', perHour: [1, 0, 2] }]);
    expect(chart.yMax).toBe(3);
    expect(chart.series[0]?.total).toBe(3);
    expect(chart.series[0]?.points.split(' ')).toHaveLength(73);
    expect(chart.xTicks.map((t) => t.label)).toEqual(['0 h', '12 h', '24 h', '36 h', '48 h', '60 h', '72 h']);
  });
});

const ISSUE: IssueRecord = {
  issueId: 'weekly-diplomacy-2026-12-07',
  digestId: 'weekly-diplomacy',
  scheduledDate: '2026-12-07',
  status: 'sent',
  test: false,
  trigger: 'operator',
  createdAt: '2026-12-07T07:00:00.000Z',
  updatedAt: '2026-12-07T07:01:00.000Z',
  subject: 'Summits & <sanctions>',
  articleIds: [],
  counts: { ...emptyCounts, recipients: 1, batches: 1, batchesDone: 1, sent: 1 },
  enqueueComplete: true,
  reason: null,
};

function consoleApp() {
  return appHarness({
    tokenSecret: SECRET,
    admin: {
      operatorToken: async () => OPERATOR,
      issues: {
        listRecent: async () => [ISSUE],
        get: async (id) =>
          id === ISSUE.issueId
            ? { ...ISSUE, progress: { pagesEnqueued: 1, cursor: null, leaseUntil: 0 } }
            : null,
      },
      engagement: {
        read: async () => ({
          ...emptyEngagement(),
          delivered: 1,
          uniqueClicks: 1,
          clicks: 1,
          linkClicks: [1],
        }),
        readMany: async (ids) => new Map(ids.map((id) => [id, { ...emptyEngagement(), delivered: 1 }])),
      },
      loadEmail: async () => ({
        v: 1,
        template: { subject: 's', preheader: '', html: '<p>x</p>', text: `Read: ${slot('email')}\n` },
        from: 'a@b.example',
        replyTo: null,
        tracking: { clicks: true, opens: false },
        links: [{ url: 'https://news.example/a', story: 'A story', section: 'World' }],
      }),
      tallies: async () => [],
      archiveBaseUrl: 'https://news.example/archive',
      erasure: {
        maintenance: { remove: async (subscriber) => void erasures.push(`removed ${subscriber.id}`) },
        erased: {
          record: async (entry) => void erasures.push(`hash ${entry.hash.length}`),
          list: async () => [],
        },
        deliveries: { anonymise: async () => ({ issuesSearched: 1, rows: 1, tallies: 0 }) },
      },
      issueTrigger: {
        post: async (body) => {
          posted.push(body);
          return (
            triggerAnswer ?? {
              status: 202,
              body: { created: true, issue: { issueId: 'weekly-2026-12-07', status: 'sending' } },
            }
          );
        },
      },
    },
  });
}

const posted: Record<string, unknown>[] = [];
/** What the operator API answers the console; the default (null) is a 202 with the new issue. */
let triggerAnswer: { status: number; body: unknown } | null = null;
const erasures: string[] = [];

type Response = { statusCode?: number; headers?: Record<string, unknown>; cookies?: string[]; body?: string };

function cookiesOf(response: Response): string[] {
  return (response.cookies ?? []).map((c) => c.split(';')[0] ?? '');
}

async function signInForm(app: ReturnType<typeof consoleApp>) {
  const page = (await app.handler(httpEvent('GET', '/admin/sign-in'))) as Response;
  const csrf = /name="csrf" value="([^"]+)"/.exec(page.body ?? '')?.[1] ?? '';
  return { csrf, cookie: cookiesOf(page).join('; ') };
}

function post(path: string, body: string, cookie: string, sourceIp = '203.0.113.7') {
  return httpEvent('POST', path, {
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
    body,
    sourceIp,
  });
}

describe('the operator console (/admin)', () => {
  it('sends every console page to sign-in without a session', async () => {
    const app = consoleApp();
    for (const path of ['/admin', `/admin/issues/${ISSUE.issueId}`]) {
      const response = (await app.handler(httpEvent('GET', path))) as Response;
      expect(response.statusCode, path).toBe(303);
      expect(response.headers?.location).toBe('/admin/sign-in');
    }
  });

  it('signs in with the operator token: a HttpOnly, Secure, SameSite=Strict session cookie with an expiry', async () => {
    const app = consoleApp();
    const form = await signInForm(app);
    const response = (await app.handler(
      post('/admin/sign-in', `csrf=${form.csrf}&token=${OPERATOR}`, form.cookie),
    )) as Response;
    expect(response.statusCode).toBe(303);
    const session = response.cookies?.find((c) => c.startsWith('broadsheet_admin='));
    expect(session).toMatch(/; Max-Age=28800; HttpOnly; Secure; SameSite=Strict$/);
    const issues = (await app.handler(
      httpEvent('GET', '/admin', { headers: { cookie: session?.split(';')[0] ?? '' } }),
    )) as Response;
    expect(issues.statusCode).toBe(200);
    expect(issues.body).toContain('Summits &amp; &lt;sanctions&gt;');
    expect(issues.body).toContain(`/admin/issues/${ISSUE.issueId}`);
    // weekly-diplomacy tracks clicks, not opens (the default): no open rate is shown for it.
    expect(issues.body).toContain('opened –');
    expect(issues.body).toMatch(/clicked \d/);
    const issue = (await app.handler(
      httpEvent('GET', `/admin/issues/${ISSUE.issueId}`, {
        headers: { cookie: session?.split(';')[0] ?? '' },
      }),
    )) as Response;
    expect(issue.statusCode).toBe(200);
    expect(issue.body).toContain('<svg role="img"');
    expect(issue.body).toContain('Read: ⟨email⟩');
  });

  it('refuses a form without its CSRF token with 403', async () => {
    const app = consoleApp();
    const form = await signInForm(app);
    const response = (await app.handler(
      post('/admin/sign-in', `token=${OPERATOR}`, form.cookie),
    )) as Response;
    expect(response.statusCode).toBe(403);
  });

  it('answers 429 after ten wrong tokens from one network, even to the right one', async () => {
    const app = consoleApp();
    const form = await signInForm(app);
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) {
      const response = (await app.handler(
        post('/admin/sign-in', `csrf=${form.csrf}&token=wrong-${i}`, form.cookie),
      )) as Response;
      statuses.push(response.statusCode ?? 0);
    }
    expect(statuses.slice(0, 9).every((s) => s === 401)).toBe(true);
    expect(statuses[9]).toBe(429);
    const right = (await app.handler(
      post('/admin/sign-in', `csrf=${form.csrf}&token=${OPERATOR}`, form.cookie),
    )) as Response;
    expect(right.statusCode).toBe(429);
    expect(right.headers?.['retry-after']).toMatch(/^\d+$/);
    const elsewhere = (await app.handler(
      post('/admin/sign-in', `csrf=${form.csrf}&token=${OPERATOR}`, form.cookie, '198.51.100.9'),
    )) as Response;
    expect(elsewhere.statusCode).toBe(303);
  });

  it('signs out with the CSRF token, deleting the cookie', async () => {
    const app = consoleApp();
    const form = await signInForm(app);
    const signedIn = (await app.handler(
      post('/admin/sign-in', `csrf=${form.csrf}&token=${OPERATOR}`, form.cookie),
    )) as Response;
    const session = cookiesOf(signedIn).find((c) => c.startsWith('broadsheet_admin=')) ?? '';
    const page = (await app.handler(
      httpEvent('GET', '/admin', { headers: { cookie: session } }),
    )) as Response;
    const csrf = /name="csrf" value="([^"]+)"/.exec(page.body ?? '')?.[1] ?? '';
    expect(((await app.handler(post('/admin/sign-out', '', session))) as Response).statusCode).toBe(403);
    const out = (await app.handler(post('/admin/sign-out', `csrf=${csrf}`, session))) as Response;
    expect(out.statusCode).toBe(303);
    expect(out.cookies?.[0]).toMatch(/^broadsheet_admin=; Path=\/; Max-Age=0/);
  });
});

describe('console digests and subscribers', () => {
  async function signedIn() {
    const app = consoleApp();
    const form = await signInForm(app);
    const signed = (await app.handler(
      post('/admin/sign-in', `csrf=${form.csrf}&token=${OPERATOR}`, form.cookie),
    )) as Response;
    const session = cookiesOf(signed).find((c) => c.startsWith('broadsheet_admin=')) ?? '';
    const get = async (pathAndQuery: string) => {
      const [pathname = '', query = ''] = pathAndQuery.split('?');
      return (await app.handler(
        httpEvent('GET', pathname, { query, headers: { cookie: session } }),
      )) as Response;
    };
    const page = await get('/admin/digests');
    const csrf = /name="csrf" value="([^"]+)"/.exec(page.body ?? '')?.[1] ?? '';
    return { app, session, csrf, get, page };
  }

  it("lists each digest's schedule with its next runs and tracking", async () => {
    const { page } = await signedIn();
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('The Weekly &lt;Edition&gt;');
    expect(page.body).toContain('0 7 * * 1');
    expect(page.body).toMatch(/\d{4}-\d{2}-\d{2} 07:00/);
    expect(page.body).toContain('clicks on, opens off');
  });

  it('finds a subscriber ignoring case, changes its digests and unsubscribes it after a confirmation', async () => {
    const { app, session, csrf, get } = await signedIn();
    await app.handler(
      httpEvent('POST', '/subscribe', {
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'Ada@Example.org', digests: ['weekly'] }),
      }),
    );
    const found = await get('/admin/subscribers?email=ADA%40example.ORG');
    expect(found.body).toContain('Ada@example.org');
    expect(found.body).toContain('History');
    const id = /name="id" value="([a-z2-7]{26})"/.exec(found.body ?? '')?.[1] ?? '';
    expect(
      (
        (await app.handler(
          post('/admin/subscribers', `id=${id}&action=set-digests&digest-monthly=on`, session),
        )) as Response
      ).statusCode,
    ).toBe(403);
    const set = (await app.handler(
      post('/admin/subscribers', `csrf=${csrf}&id=${id}&action=set-digests&digest-monthly=on`, session),
    )) as Response;
    expect(set.statusCode).toBe(303);
    const subscriber = await app.store.get(id);
    expect(subscriber?.digests).toEqual(['monthly']);
    const ask = (await app.handler(
      post('/admin/subscribers', `csrf=${csrf}&id=${id}&action=unsubscribe`, session),
    )) as Response;
    expect(ask.body).toContain('Yes, unsubscribe');
    expect((await app.store.get(id))?.status).not.toBe('unsubscribed');
    await app.handler(
      post('/admin/subscribers', `csrf=${csrf}&id=${id}&action=unsubscribe&confirm=yes`, session),
    );
    expect((await app.store.get(id))?.status).toBe('unsubscribed');
    const askErase = (await app.handler(
      post('/admin/subscribers', `csrf=${csrf}&id=${id}&action=erase`, session),
    )) as Response;
    expect(askErase.body).toContain('Yes, erase for good');
    expect(erasures).toEqual([]);
    const erased = (await app.handler(
      post('/admin/subscribers', `csrf=${csrf}&id=${id}&action=erase&confirm=yes`, session),
    )) as Response;
    expect(erased.body).toContain('Erased');
    expect(erasures[1]).toBe(`removed ${id}`);
  });
});

describe('the operator token source', () => {
  it('uses OPERATOR_TOKEN, else reads the secret once, else turns the console off', async () => {
    expect(await operatorTokenSource({ OPERATOR_TOKEN: 'local-token', AWS_REGION: 'us-east-1' })()).toBe(
      'local-token',
    );
    let reads = 0;
    const reader = {
      getSecretValue: async () => {
        reads += 1;
        return { SecretString: 'a-long-operator-secret-value' };
      },
    };
    const fromSecret = operatorTokenSource(
      { OPERATOR_SECRET_ARN: 'arn:aws:secretsmanager:x', AWS_REGION: 'us-east-1' },
      reader,
    );
    expect(await fromSecret()).toBe('a-long-operator-secret-value');
    await fromSecret();
    expect(reads).toBe(1);
    expect(await operatorTokenSource({ AWS_REGION: 'us-east-1' })()).toBeNull();
  });
});

describe('console digest actions through the operator API', () => {
  it('previews, sends a test, and sends now only after a confirmation step', async () => {
    posted.length = 0;
    const app = consoleApp();
    const form = await signInForm(app);
    const signed = (await app.handler(
      post('/admin/sign-in', `csrf=${form.csrf}&token=${OPERATOR}`, form.cookie),
    )) as Response;
    const session = cookiesOf(signed).find((c) => c.startsWith('broadsheet_admin=')) ?? '';
    const page = (await app.handler(
      httpEvent('GET', '/admin/digests', { headers: { cookie: session } }),
    )) as Response;
    expect(page.body).toContain('Preview next issue');
    const csrf = /name="csrf" value="([^"]+)"/.exec(page.body ?? '')?.[1] ?? '';
    const act = async (body: string) =>
      (await app.handler(post('/admin/digests', body, session))) as Response;

    expect((await act('digest=weekly&action=preview')).statusCode).toBe(403);
    expect((await act(`csrf=${csrf}&digest=weekly&action=preview`)).body).toContain('created: true');
    expect((await act(`csrf=${csrf}&digest=weekly&action=test&to=not-an-address`)).statusCode).toBe(400);
    await act(`csrf=${csrf}&digest=weekly&action=test&to=ops%40example.org`);
    const ask = await act(`csrf=${csrf}&digest=weekly&action=send`);
    expect(ask.body).toContain('Yes, send it now');
    expect(posted).toEqual([
      { digestId: 'weekly', dryRun: true },
      { digestId: 'weekly', testRecipients: ['ops@example.org'] },
    ]);
    expect((await act(`csrf=${csrf}&digest=weekly&action=send&confirm=yes`)).statusCode).toBe(200);
    expect(posted.at(-1)).toEqual({ digestId: 'weekly' });
    expect((await act(`csrf=${csrf}&digest=nope&action=send&confirm=yes`)).statusCode).toBe(400);
  });

  it("shows the operator API's error by its message and details, with the context beside it", async () => {
    const app = consoleApp();
    const form = await signInForm(app);
    const signed = (await app.handler(
      post('/admin/sign-in', `csrf=${form.csrf}&token=${OPERATOR}`, form.cookie),
    )) as Response;
    const session = cookiesOf(signed).find((c) => c.startsWith('broadsheet_admin=')) ?? '';
    const page = (await app.handler(
      httpEvent('GET', '/admin/digests', { headers: { cookie: session } }),
    )) as Response;
    const csrf = /name="csrf" value="([^"]+)"/.exec(page.body ?? '')?.[1] ?? '';
    triggerAnswer = {
      status: 409,
      body: {
        error: {
          code: 'issue_in_progress',
          message: 'digest has an issue in progress: weekly-1',
          details: ['d1'],
        },
        runningIssueId: 'weekly-1',
      },
    };
    try {
      const answer = (await app.handler(
        post('/admin/digests', `csrf=${csrf}&digest=weekly&action=send&confirm=yes`, session),
      )) as Response;
      expect(answer.statusCode).toBe(502);
      expect(answer.body).toContain('error: digest has an issue in progress: weekly-1');
      expect(answer.body).toContain('d1');
      expect(answer.body).toContain('runningIssueId: weekly-1');
      expect(answer.body).not.toContain('issue_in_progress');
    } finally {
      triggerAnswer = null;
    }
  });
});
