import { escapeHtml as e } from '../../core/subscribers/html.ts';
import type { DigestChoice, SubscriptionView } from '../../core/subscribers/use-case-context.ts';

/**
 * Server-rendered pages: they work without JavaScript, every value is escaped (`e`), and the one
 * stylesheet is inline and allowed by its hash in the Content-Security-Policy (see responses.ts).
 */
export const STYLESHEET = `
*,*::before,*::after{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:#f4f1ea;color:#1d1d1b;font:17px/1.55 Georgia,"Times New Roman",serif}
main{max-width:38rem;margin:0 auto;padding:2.5rem 1.25rem 3rem}
header{border-bottom:3px double #1d1d1b;margin-bottom:1.75rem;padding-bottom:.5rem}
.brand{font:700 .8rem/1 system-ui,-apple-system,"Segoe UI",sans-serif;letter-spacing:.18em;text-transform:uppercase;margin:0}
h1{font-size:1.9rem;line-height:1.2;margin:.4rem 0 0}
p{margin:0 0 1rem}
a{color:#8a1c1c}
a:focus-visible,button:focus-visible,input:focus-visible{outline:3px solid #c9821b;outline-offset:2px}
form{margin:1.5rem 0}
label{display:block;font:600 .95rem/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 0 .35rem}
.hint{font:400 .85rem/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;color:#57534a}
input[type=email],input[type=text]{width:100%;font:inherit;padding:.65rem .75rem;border:1px solid #8c877b;border-radius:4px;background:#fff;color:inherit;margin-bottom:1.1rem}
fieldset{border:1px solid #cfc9bb;border-radius:6px;padding:.75rem 1rem .25rem;margin:0 0 1.25rem}
legend{font:600 .95rem/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;padding:0 .35rem}
.choice{display:flex;gap:.7rem;align-items:flex-start;margin:0 0 .9rem}
.choice input{margin-top:.35rem;width:1.15rem;height:1.15rem;flex:none}
.choice label{margin:0}
.choice .hint{display:block;font-weight:400}
button{font:600 1rem/1 system-ui,-apple-system,"Segoe UI",sans-serif;background:#1d1d1b;color:#fff;border:0;border-radius:4px;padding:.85rem 1.4rem;cursor:pointer}
button.secondary{background:transparent;color:#8a1c1c;border:1px solid #8a1c1c}
.notice{border-left:4px solid #1d1d1b;background:#fff;padding:.75rem 1rem;margin:0 0 1.25rem}
.notice.error{border-color:#a4161a}
.notice ul{margin:.5rem 0 0;padding-left:1.25rem}
footer{margin-top:2.5rem;font:400 .8rem/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:#57534a}
@media (prefers-color-scheme:dark){body{background:#16150f;color:#ece7da}header{border-color:#ece7da}a,button.secondary{color:#f2a49a;border-color:#f2a49a}input[type=email],input[type=text],.notice{background:#232119;color:#ece7da}.hint,footer{color:#b3ac9b}button{background:#ece7da;color:#16150f}}
`;

/** Same-origin path of one of our absolute links, so forms and links stay on the serving host. */
export function localHref(url: string): string {
  const parsed = new URL(url);
  return `${parsed.pathname}${parsed.search}`;
}

export interface PageOptions {
  title: string;
  brand?: string;
}

export function layout(options: PageOptions, content: string): string {
  const brand = options.brand ?? 'Broadsheet';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${e(options.title)} · ${e(brand)}</title>
<style>${STYLESHEET}</style>
</head>
<body>
<main>
<header><p class="brand">${e(brand)}</p><h1>${e(options.title)}</h1></header>
${content}
<footer>${e(brand)} · digests of the stories that matter, in your inbox.</footer>
</main>
</body>
</html>
`;
}

function errorNotice(errors: readonly string[]): string {
  if (errors.length === 0) return '';
  const items = errors.map((m) => `<li>${e(m)}</li>`).join('');
  return `<div class="notice error" role="alert"><strong>Please check the form.</strong><ul>${items}</ul></div>`;
}

function digestChoices(digests: ReadonlyArray<DigestChoice & { selected?: boolean }>): string {
  return digests
    .map((d, i) => {
      const id = `digest-${i}`;
      return `<div class="choice"><input type="checkbox" id="${id}" name="digests" value="${e(d.id)}"${d.selected ? ' checked' : ''} aria-describedby="${id}-hint"><label for="${id}">${e(d.title)}<span class="hint" id="${id}-hint">${e(d.description)}</span></label></div>`;
    })
    .join('\n');
}

export interface SignupValues {
  email?: string | undefined;
  name?: string | undefined;
  digests?: readonly string[] | undefined;
}

export function signupPage(
  digests: readonly DigestChoice[],
  values: SignupValues = {},
  errors: readonly string[] = [],
): string {
  const chosen = new Set(values.digests ?? []);
  return layout(
    { title: 'Subscribe' },
    `<p>Choose the digests you want. We send a link to confirm the address first; nothing arrives until you click it.</p>
${errorNotice(errors)}
<form method="post" action="/subscribe" novalidate>
<label for="email">Email address</label>
<input type="email" id="email" name="email" required maxlength="254" autocomplete="email" inputmode="email" value="${e(values.email ?? '')}">
<label for="name">Name <span class="hint">(optional)</span></label>
<input type="text" id="name" name="name" maxlength="100" autocomplete="name" value="${e(values.name ?? '')}">
<fieldset>
<legend>Digests</legend>
${digestChoices(digests.map((d) => ({ ...d, selected: chosen.has(d.id) })))}
</fieldset>
<input type="hidden" name="source" value="signup-page">
<button type="submit">Subscribe</button>
</form>
<p class="hint">We keep your address, your name if you give it, the digests you choose, and when and from which IP address you signed up and confirmed, as the record of your consent. Every email has a one-click unsubscribe link.</p>`,
  );
}

export function messagePage(
  title: string,
  paragraphs: readonly string[],
  links: ReadonlyArray<{ href: string; text: string }> = [],
): string {
  const body = paragraphs.map((p) => `<p>${e(p)}</p>`).join('\n');
  const linkList = links.map((l) => `<p><a href="${e(l.href)}">${e(l.text)}</a></p>`).join('\n');
  return layout({ title }, `${body}\n${linkList}`);
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

function unsubscribeAllForm(view: SubscriptionView, label = 'Unsubscribe from all digests'): string {
  return `<form method="post" action="${e(localHref(view.unsubscribeUrl))}">
<input type="hidden" name="List-Unsubscribe" value="One-Click">
<button type="submit" class="secondary">${e(label)}</button>
</form>`;
}

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
): string {
  if (view.status === 'unsubscribed' || view.status === 'suppressed') {
    return messagePage(
      'Unsubscribe',
      [statusLine(view)],
      [{ href: localHref(view.preferencesUrl), text: 'Choose digests' }],
    );
  }
  const choose = `<p>Or <a href="${e(localHref(view.preferencesUrl))}">choose which digests you get</a> instead.</p>`;
  if (scope === null) {
    return layout(
      { title: 'Unsubscribe' },
      `<p>Stop every digest to ${e(view.maskedEmail)}? Nothing changes until you press the button.</p>
<form method="post" action="${e(actionUrl)}">
<input type="hidden" name="List-Unsubscribe" value="One-Click">
<button type="submit">Unsubscribe from all digests</button>
</form>
${choose}`,
    );
  }
  const others = titlesOf(view, scope.id);
  const stillGets =
    others.length === 0
      ? ''
      : `<p>You will still get ${e(others.join(', '))}.</p>
`;
  if (!view.digests.some((d) => d.id === scope.id && d.selected)) {
    return layout(
      { title: 'Unsubscribe' },
      `<p>${e(view.maskedEmail)} no longer gets ${e(scope.title)}.</p>
${stillGets}${unsubscribeAllForm(view)}
${choose}`,
    );
  }
  return layout(
    { title: `Unsubscribe from ${scope.title}` },
    `<p>Stop ${e(scope.title)} to ${e(view.maskedEmail)}? Nothing changes until you press the button.</p>
<form method="post" action="${e(actionUrl)}">
<input type="hidden" name="List-Unsubscribe" value="One-Click">
<button type="submit">Unsubscribe from ${e(scope.title)}</button>
</form>
${stillGets}${
  others.length === 0
    ? ''
    : `${unsubscribeAllForm(view)}
`
}${choose}`,
  );
}

/** After an unsubscribe: what stopped and what goes on. */
export function unsubscribedPage(view: SubscriptionView, scope: DigestChoice | null = null): string {
  const others = titlesOf(view);
  if (scope !== null && (view.status === 'confirmed' || view.status === 'pending') && others.length > 0) {
    return layout(
      { title: `Unsubscribed from ${scope.title}` },
      `<p>${e(view.maskedEmail)} will receive no more ${e(scope.title)}. You still get ${e(others.join(', '))}.</p>
${unsubscribeAllForm(view)}
<p><a href="${e(localHref(view.preferencesUrl))}">Choose digests</a></p>`,
    );
  }
  return messagePage(
    'You are unsubscribed',
    [
      view.status === 'suppressed'
        ? statusLine(view)
        : `${view.maskedEmail} will receive no more digests. Changed your mind? You can choose digests again.`,
    ],
    [{ href: localHref(view.preferencesUrl), text: 'Choose digests' }],
  );
}

export function preferencesPage(
  view: SubscriptionView,
  actionUrl: string,
  notice?: { kind: 'saved' | 'error'; messages: readonly string[] },
): string {
  const noticeHtml =
    notice === undefined
      ? ''
      : notice.kind === 'saved'
        ? `<div class="notice" role="status">${notice.messages.map((m) => e(m)).join(' ')}</div>`
        : errorNotice(notice.messages);
  if (view.status === 'suppressed') return messagePage('Your digests', [statusLine(view)]);
  const unsubscribe = view.status === 'unsubscribed' ? '' : unsubscribeAllForm(view);
  return layout(
    { title: 'Your digests' },
    `${noticeHtml}<p>${e(statusLine(view))}</p>
<form method="post" action="${e(actionUrl)}">
<fieldset>
<legend>Digests you receive</legend>
${digestChoices(view.digests)}
</fieldset>
<input type="hidden" name="update" value="digests">
<button type="submit">Save</button>
</form>
${unsubscribe}`,
  );
}
