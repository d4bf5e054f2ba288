import type { DigestChoice, SubscriptionView } from '../../core/subscribers/use-case-context.ts';
import type { PageView } from '../../render/page-kit.ts';

/**
 * The subscription pages as view models for the templates in `templates/pages/`: these functions
 * decide what a page says, the templates how it looks (and escape every value).
 */
export interface PageCall {
  page: string;
  view: PageView;
}

/** Same-origin path of one of our absolute links, so forms and links stay on the serving host. */
export function localHref(url: string): string {
  const parsed = new URL(url);
  return `${parsed.pathname}${parsed.search}`;
}

type Notice = { error: boolean; messages: readonly string[] } | null;

const errorNotice = (errors: readonly string[]): Notice =>
  errors.length === 0 ? null : { error: true, messages: errors };

export interface SignupValues {
  email?: string | undefined;
  name?: string | undefined;
  digests?: readonly string[] | undefined;
}

export function signupPage(
  digests: readonly DigestChoice[],
  values: SignupValues = {},
  errors: readonly string[] = [],
): PageCall {
  const chosen = new Set(values.digests ?? []);
  return {
    page: 'signup',
    view: {
      title: 'Subscribe',
      notice: errorNotice(errors),
      email: values.email ?? '',
      name: values.name ?? '',
      digests: digests.map((d) => ({ ...d, selected: chosen.has(d.id) })),
    },
  };
}

export function messagePage(
  title: string,
  paragraphs: readonly string[],
  links: ReadonlyArray<{ href: string; text: string }> = [],
): PageCall {
  return { page: 'message', view: { title, paragraphs, links } };
}

function statusLine(view: SubscriptionView): string {
  switch (view.status) {
    case 'confirmed':
      return `You are subscribed as ${view.maskedEmail}.`;
    case 'pending':
      return `${view.maskedEmail} has not confirmed its subscription yet.`;
    case 'unsubscribed':
      return `${view.maskedEmail} is unsubscribed and receives no digests.`;
    case 'suppressed':
      return `We no longer send email to ${view.maskedEmail}: earlier messages bounced or were reported as spam.`;
  }
}

const unsubscribeAll = (view: SubscriptionView) => ({
  action: localHref(view.unsubscribeUrl),
  label: 'Unsubscribe from all digests',
  secondary: true,
});

function titlesOf(view: SubscriptionView, except?: string): string[] {
  return view.digests.filter((d) => d.selected && d.id !== except).map((d) => d.title);
}

/**
 * What the unsubscribe link of an email would do, with a button to do it. `scope`: the digest the
 * link leaves (an issue's link); null for a link that leaves every digest.
 */
export function unsubscribePage(
  view: SubscriptionView,
  actionUrl: string,
  scope: DigestChoice | null = null,
): PageCall {
  const preferencesHref = localHref(view.preferencesUrl);
  if (view.status === 'unsubscribed' || view.status === 'suppressed') {
    return messagePage(
      'Unsubscribe',
      [statusLine(view)],
      [{ href: preferencesHref, text: 'Choose digests' }],
    );
  }
  const page = (title: string, parts: Record<string, unknown>): PageCall => ({
    page: 'unsubscribe',
    view: { title, preferencesHref, confirm: null, stillGets: null, unsubscribeAll: null, ...parts },
  });
  if (scope === null) {
    return page('Unsubscribe', {
      question: `Stop every digest to ${view.maskedEmail}? Nothing changes until you press the button.`,
      confirm: { action: actionUrl, label: 'Unsubscribe from all digests', secondary: false },
    });
  }
  const others = titlesOf(view, scope.id);
  const stillGets = others.length === 0 ? null : others.join(', ');
  if (!view.digests.some((d) => d.id === scope.id && d.selected)) {
    return page('Unsubscribe', {
      question: `${view.maskedEmail} no longer gets ${scope.title}.`,
      stillGets,
      unsubscribeAll: unsubscribeAll(view),
    });
  }
  return page(`Unsubscribe from ${scope.title}`, {
    question: `Stop ${scope.title} to ${view.maskedEmail}? Nothing changes until you press the button.`,
    confirm: { action: actionUrl, label: `Unsubscribe from ${scope.title}`, secondary: false },
    stillGets,
    unsubscribeAll: others.length === 0 ? null : unsubscribeAll(view),
  });
}

/** After an unsubscribe: what stopped and what goes on. */
export function unsubscribedPage(view: SubscriptionView, scope: DigestChoice | null = null): PageCall {
  const others = titlesOf(view);
  const preferencesHref = localHref(view.preferencesUrl);
  if (scope !== null && (view.status === 'confirmed' || view.status === 'pending') && others.length > 0) {
    return {
      page: 'unsubscribed',
      view: {
        title: `Unsubscribed from ${scope.title}`,
        message: `${view.maskedEmail} will receive no more ${scope.title}. You still get ${others.join(', ')}.`,
        unsubscribeAll: unsubscribeAll(view),
        preferencesHref,
      },
    };
  }
  return messagePage(
    'You are unsubscribed',
    [
      view.status === 'suppressed'
        ? statusLine(view)
        : `${view.maskedEmail} will receive no more digests. Changed your mind? You can choose digests again.`,
    ],
    [{ href: preferencesHref, text: 'Choose digests' }],
  );
}

export function preferencesPage(
  view: SubscriptionView,
  actionUrl: string,
  notice?: { kind: 'saved' | 'error'; messages: readonly string[] },
): PageCall {
  if (view.status === 'suppressed') return messagePage('Your digests', [statusLine(view)]);
  return {
    page: 'preferences',
    view: {
      title: 'Your digests',
      notice: notice === undefined ? null : { error: notice.kind === 'error', messages: notice.messages },
      status: statusLine(view),
      action: actionUrl,
      digests: view.digests,
      unsubscribeAll: view.status === 'unsubscribed' ? null : unsubscribeAll(view),
    },
  };
}
