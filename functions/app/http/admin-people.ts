import * as z from 'zod';
import type { IssueTrigger } from '../../adapters/operator-api-client.ts';
import { DIGESTS_FILE, parseContentConfig, THEMES_FILE } from '../../core/content/config.ts';
import { SITE_FILE } from '../../core/content/site.ts';
import type { ContentSource } from '../../core/ports.ts';
import { upcomingRuns, wallClock } from '../../core/schedule/runs.ts';
import { setDigests, setDigestsRefusal } from '../../core/subscribers/admin.ts';
import { normaliseEmail } from '../../core/subscribers/email.ts';
import { type ErasureDeps, eraseAddress } from '../../core/subscribers/erasure.ts';
import { unsubscribe } from '../../core/subscribers/lifecycle.ts';
import type { Subscriber } from '../../core/subscribers/model.ts';
import type { SubscriberStore } from '../../core/subscribers/ports.ts';
import { DEFAULT_TRACKING } from '../../core/tracking/links.ts';
import { type AdminAuthDeps, adminAuth, formFields, redirect } from './admin-auth.ts';
import { parseQuery } from './body.ts';
import type { HttpRequest } from './event.ts';
import { messagePage } from './pages.ts';
import { errorBodySchema, type HttpResponse, type Pages } from './responses.ts';

export interface AdminPeopleDeps extends AdminAuthDeps {
  content: ContentSource;
  store: Pick<SubscriberStore, 'findByEmail' | 'get' | 'update'>;
  /** `POST /issues` of the operator API: previews, test sends and "send now". None: not offered. */
  issues?: IssueTrigger;
  /** GDPR erasure (core/subscribers/erasure.ts); none: not offered. */
  erasure?: Pick<ErasureDeps, 'maintenance' | 'erased' | 'deliveries'> & { secret(): Promise<string> };
}

const ACTIONS = {
  preview: { title: 'Preview of the next issue', body: (digestId: string) => ({ digestId, dryRun: true }) },
  test: { title: 'Test sent', body: (digestId: string, to: string) => ({ digestId, testRecipients: [to] }) },
  send: { title: 'Issue started', body: (digestId: string) => ({ digestId }) },
} as const;

/** What the operator API answered, as lines for a page (its JSON, one level, the issue's fields too). */
function answerLines(status: number, body: unknown): string[] {
  const lines = [`The operator API answered ${status}.`];
  const record = z.record(z.string(), z.unknown()).safeParse(body).data ?? { answer: body };
  const issue = z.record(z.string(), z.unknown()).safeParse(record.issue).data ?? {};
  const error = errorBodySchema.safeParse(record).data?.error;
  if (error) lines.push(`error: ${error.message}`, ...(error.details ?? []));
  for (const [name, value] of Object.entries({ ...record, ...issue })) {
    if (['digest', 'issue', 'articleIds', 'counts', 'progress', 'error'].includes(name)) continue;
    lines.push(`${name}: ${typeof value === 'string' ? value : JSON.stringify(value)}`);
  }
  return lines;
}

/** The digests as configured now (none, with the problems, when the config does not parse). */
export async function digestConfigs(content: ContentSource) {
  const [themes, digests, site] = await Promise.all([
    content.readConfigFile(THEMES_FILE),
    content.readConfigFile(DIGESTS_FILE),
    content.readConfigFile(SITE_FILE).catch(() => null),
  ]);
  const parsed = parseContentConfig(themes, digests, site);
  return parsed.ok
    ? { digests: parsed.value.digests, problems: [] }
    : { digests: [], problems: parsed.problems };
}

function subscriberView(subscriber: Subscriber, known: readonly { id: string; title: string }[]) {
  return {
    id: subscriber.id,
    email: subscriber.email,
    name: subscriber.name ?? '',
    status: subscriber.status,
    digests: known.map((d) => ({ ...d, checked: subscriber.digests.includes(d.id) })),
    consent: subscriber.consent,
    suppression: subscriber.suppression ?? null,
    history: [
      ['signed up', subscriber.createdAt],
      ['consent asked', subscriber.consent.requestedAt],
      ['confirmed', subscriber.confirmedAt],
      ['soft bounces since', subscriber.firstSoftBounceAt],
      ['unsubscribed', subscriber.unsubscribedAt],
      ['suppressed', subscriber.suppression?.at],
      ['last change', subscriber.updatedAt],
    ]
      .filter((entry): entry is [string, string] => typeof entry[1] === 'string')
      .map(([what, at]) => ({ what, at: at.slice(0, 16).replace('T', ' ') }))
      .sort((a, b) => a.at.localeCompare(b.at)),
    refusal: setDigestsRefusal(subscriber) ?? null,
    canUnsubscribe: subscriber.status === 'confirmed' || subscriber.status === 'pending',
  };
}

/** Console pages: Digests (schedules and next runs) and Subscribers (search, digests, unsubscribe). */
export function adminPeopleRoutes(deps: AdminPeopleDeps) {
  const auth = adminAuth(deps);

  async function digests(request: HttpRequest, pages: Pages): Promise<HttpResponse> {
    const form = request.method === 'POST' ? formFields(request) : null;
    const authed = await auth.require(request, pages, form);
    if (!authed.ok) return authed.response;
    const now = deps.clock.now();
    const { digests: configs, problems } = await digestConfigs(deps.content);
    if (form !== null)
      return digestAction(
        form,
        configs.map((d) => d.id),
        pages,
        authed.csrf,
      );
    const rows = configs.map((d) => ({
      id: d.id,
      title: d.title,
      cron: d.schedule.cron,
      timezone: d.schedule.timezone,
      next: upcomingRuns(d.schedule, now, 3).map((run) => wallClock(run, d.schedule.timezone)),
      tracking: d.tracking ?? DEFAULT_TRACKING,
    }));
    return pages.respond(200, {
      page: 'admin/digests',
      view: {
        title: 'Digests',
        rows,
        problems: problems.map((p) => `${p.file}: ${p.message}`),
        csrf: authed.csrf,
        actions: deps.issues !== undefined,
      },
    });
  }

  async function subscribers(request: HttpRequest, pages: Pages): Promise<HttpResponse> {
    const form = request.method === 'POST' ? formFields(request) : null;
    const authed = await auth.require(request, pages, form);
    if (!authed.ok) return authed.response;
    const known = (await digestConfigs(deps.content)).digests.map((d) => ({ id: d.id, title: d.title }));
    const page = (view: Record<string, unknown>, status = 200) =>
      pages.respond(status, {
        page: 'admin/subscribers',
        view: { title: 'Subscribers', csrf: authed.csrf, canErase: deps.erasure !== undefined, ...view },
      });
    if (request.method !== 'POST') {
      const query = parseQuery(request.query);
      const wanted = query.ok ? query.fields.email : undefined;
      const email = typeof wanted === 'string' ? wanted.trim() : '';
      if (email === '') return page({ query: '', subscriber: null, searched: false });
      const normalised = normaliseEmail(email);
      const found = normalised.ok ? await deps.store.findByEmail(normalised.email) : undefined;
      return page({ query: email, subscriber: found ? subscriberView(found, known) : null, searched: true });
    }
    const subscriber = form?.id ? await deps.store.get(form.id) : undefined;
    if (subscriber === undefined)
      return pages.respond(
        404,
        messagePage('No such subscriber', [], [{ href: '/admin/subscribers', text: 'Subscribers' }]),
      );
    const back = `/admin/subscribers?email=${encodeURIComponent(subscriber.email)}`;
    const now = deps.clock.now();
    if (form?.action === 'set-digests') {
      const chosen = known.map((d) => d.id).filter((id) => form[`digest-${id}`] === 'on');
      await deps.store.update(subscriber.id, (current) => setDigests(current, chosen, now));
      return redirect(back);
    }
    if (form?.action === 'erase' && deps.erasure !== undefined) {
      if (form.confirm !== 'yes')
        return page({
          query: subscriber.email,
          subscriber: subscriberView(subscriber, known),
          searched: true,
          confirmErase: true,
        });
      const { secret, ...erasure } = deps.erasure;
      const normalised = normaliseEmail(subscriber.email);
      const email = normalised.ok ? normalised.email : subscriber.email.toLowerCase();
      const outcome = await eraseAddress(
        { ...erasure, store: deps.store, secret: await secret(), now },
        email,
      );
      return pages.respond(
        200,
        messagePage(
          'Erased',
          [
            `${outcome.email}: profile, memberships and address deleted; its links find nobody.`,
            `Delivery-ledger rows anonymised: ${JSON.stringify(outcome.ledger)}.`,
            'A keyed hash of the address is kept so an import cannot add it again by mistake.',
          ],
          [{ href: '/admin/subscribers', text: 'Subscribers' }],
        ),
      );
    }
    if (form?.action === 'unsubscribe' && form.confirm !== 'yes')
      return page({
        query: subscriber.email,
        subscriber: subscriberView(subscriber, known),
        searched: true,
        confirmUnsubscribe: true,
      });
    if (form?.action === 'unsubscribe') {
      await deps.store.update(subscriber.id, (current) => unsubscribe(current, now));
      return redirect(back);
    }
    return page(
      { query: subscriber.email, subscriber: subscriberView(subscriber, known), searched: true },
      400,
    );
  }

  /** Preview, test send, or "send now" (after a confirmation step) through the operator API. */
  async function digestAction(
    form: Record<string, string>,
    known: readonly string[],
    pages: Pages,
    csrf: string,
  ): Promise<HttpResponse> {
    const back = [{ href: '/admin/digests', text: 'Digests' }];
    const digestId = form.digest ?? '';
    const action =
      form.action === 'preview' || form.action === 'test' || form.action === 'send' ? form.action : null;
    if (deps.issues === undefined || action === null || !known.includes(digestId))
      return pages.respond(400, messagePage('That did not work', ['No such digest or action.'], back));
    if (action === 'send' && form.confirm !== 'yes')
      return pages.respond(200, {
        page: 'admin/confirm-send',
        view: { title: `Send ${digestId} now?`, digestId, csrf },
      });
    const to = (form.to ?? '').trim();
    if (action === 'test' && !normaliseEmail(to).ok)
      return pages.respond(
        400,
        messagePage('That did not work', ['Give the address to send the test to.'], back),
      );
    const answer = await deps.issues.post(ACTIONS[action].body(digestId, to));
    const lines = answerLines(answer.status, answer.body);
    return pages.respond(answer.status < 300 ? 200 : 502, messagePage(ACTIONS[action].title, lines, back));
  }

  return { digests, subscribers };
}
