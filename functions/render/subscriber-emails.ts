import { RenderError } from '../core/render/errors.ts';
import {
  type CompiledEmailSource,
  type CompiledEmails,
  CompiledSubscriberEmails,
  type EmailKind,
  emailKinds,
  type SubscriberEmailSite,
  WORDING,
} from './compiled-subscriber-emails.ts';
import { renderLayout } from './mjml.ts';
import type { TemplateSet, VisualThemeId } from './template-set.ts';
import { subscriberEmailView } from './view-model.ts';

/**
 * Stand-ins for the brand while MJML runs, swapped for Handlebars placeholders in its output. Each is
 * valid where it stands (text, a URL, a CSS colour) and is refused if the templates already hold it.
 */
const STAND_INS = {
  brand: 'Bsxbrandxstandxin',
  postalAddress: 'Bsxpostalxstandxin',
  logoUrl: 'https://logo.invalid/bsx-logo-stand-in',
  'accent.light': '#a1b2c1',
  'accent.dark': '#a1b2c2',
} as const;

function checkStandIns(templates: TemplateSet): void {
  const sources = JSON.stringify([
    templates.layouts,
    templates.partials,
    templates.visualThemes,
  ]).toLowerCase();
  for (const standIn of Object.values(STAND_INS)) {
    if (sources.includes(standIn.toLowerCase()))
      throw new RenderError(
        `the templates hold "${standIn}", which compiling the subscription emails reserves`,
      );
  }
}

/**
 * One layout compiled: MJML rendered once with the stand-ins, which then become placeholders. The
 * output may hold no `{{` or `}}` of its own, so the placeholders are the only Handlebars in it.
 */
export async function compileSubscriberEmail(
  templates: TemplateSet,
  kind: EmailKind,
  options: { withLogo: boolean; visualTheme?: VisualThemeId },
): Promise<string> {
  checkStandIns(templates);
  const view = subscriberEmailView({
    templates,
    visualTheme: options.visualTheme ?? 'light',
    brandName: STAND_INS.brand,
    postalAddress: STAND_INS.postalAddress,
    accents: { light: STAND_INS['accent.light'], dark: STAND_INS['accent.dark'] },
    logoUrl: options.withLogo ? STAND_INS.logoUrl : undefined,
    subject: WORDING[kind].subject(STAND_INS.brand),
    preheader: WORDING[kind].preheader,
  });
  const rendered = await renderLayout(templates, kind, view);
  if (/\{\{|\}\}/.test(rendered))
    throw new RenderError(`layout "${kind}": its HTML holds "{{" or "}}", which a compiled email cannot`);
  let compiled = rendered;
  for (const [name, standIn] of Object.entries(STAND_INS))
    compiled = compiled.replace(new RegExp(standIn.replace(/[.#/:-]/g, '\\$&'), 'gi'), `{{${name}}}`);
  return compiled;
}

/** Both layouts, with and without the logo: what the Lambda bundle carries. */
export async function compileSubscriberEmails(
  templates: TemplateSet,
  visualTheme?: VisualThemeId,
): Promise<CompiledEmails> {
  const out: Partial<CompiledEmails> = {};
  for (const kind of emailKinds) {
    const compile = (withLogo: boolean) =>
      compileSubscriberEmail(templates, kind, { withLogo, ...(visualTheme ? { visualTheme } : {}) });
    out[kind] = { logo: await compile(true), plain: await compile(false) };
  }
  return out as CompiledEmails;
}

/** Compiles each layout and variant from the templates the first time it is asked for. */
export function compilingSource(templates: TemplateSet, visualTheme?: VisualThemeId): CompiledEmailSource {
  const compiled = new Map<string, Promise<string>>();
  return (kind, withLogo) => {
    const key = `${kind}/${withLogo}`;
    let html = compiled.get(key);
    if (!html) {
      html = compileSubscriberEmail(templates, kind, { withLogo, ...(visualTheme ? { visualTheme } : {}) });
      compiled.set(key, html);
      // A failed compile is not cached: the next email tries again.
      html.catch(() => compiled.delete(key));
    }
    return html;
  };
}

export interface MjmlSubscriberEmailsOptions {
  templates: TemplateSet;
  site: SubscriberEmailSite;
  visualTheme?: VisualThemeId;
  /** Time zone in which the confirmation link's expiry is shown; default UTC. */
  timeZone?: string;
}

/**
 * The subscription emails straight from the MJML layouts `confirmation` and `welcome`, each compiled
 * the first time it is needed (run from source: `npm start`, tests, benches). Lambda loads them
 * compiled at build time instead (functions/adapters/fs-compiled-emails.ts).
 */
export class MjmlSubscriberEmails extends CompiledSubscriberEmails {
  public constructor(options: MjmlSubscriberEmailsOptions) {
    super({
      source: compilingSource(options.templates, options.visualTheme),
      site: options.site,
      ...(options.timeZone ? { timeZone: options.timeZone } : {}),
    });
  }
}
