import { createHash } from 'node:crypto';
import Handlebars from 'handlebars';
import type { SiteConfig } from '../core/content/site.ts';
import { RenderError } from '../core/render/errors.ts';
import { pagePalette } from './page-palette.ts';

/**
 * Web pages from Handlebars templates (`templates/pages/`): `layout.hbs` draws the brand (site.yaml)
 * around one page template; `page.css` is the one stylesheet, inline and allowed by its hash, filled
 * with the palette of each scheme (`{{light.ink}}`, `{{dark.background}}`: page-palette.ts). Every
 * value goes through Handlebars' escaping: templates use `{{…}}` only.
 *
 * A page is `templates/pages/<name>.hbs` (or `admin/<name>.hbs`), filled with its view model;
 * partials are `templates/pages/partials/<name>.hbs`. Render with `kit.render(site, 'admin/login',
 * { title: 'Sign in', … })`: `title` is the page's heading and `<title>`.
 */
export interface PageTemplates {
  layout: string;
  stylesheet: string;
  /** By name: `signup`, `admin/issues`. */
  pages: Readonly<Record<string, string>>;
  partials: Readonly<Record<string, string>>;
}

/** What every page view model has. */
export interface PageView {
  title: string;
  [field: string]: unknown;
}

/** The brand as pages show it. */
export type PageSite = Pick<SiteConfig, 'name' | 'tagline' | 'footer' | 'accents'> & {
  logoUrl?: string | undefined;
};

export interface RenderedPage {
  html: string;
  /** `sha256-…` of the inline stylesheet, for the Content-Security-Policy. */
  styleHash: string;
  /** Origins the page loads images from besides its own (the logo's). */
  imageOrigins: string[];
}

export interface PageKit {
  render(site: PageSite, page: string, view: PageView): RenderedPage;
  /** The page names the kit knows. */
  readonly pages: readonly string[];
}

const PAGE_NAME = /^[a-z0-9][a-z0-9-]*(?:\/[a-z0-9][a-z0-9-]*)*$/;

export function createPageKit(templates: PageTemplates): PageKit {
  const handlebars = Handlebars.create();
  const options = { preventIndent: true } as const;
  for (const [name, source] of Object.entries(templates.partials)) {
    handlebars.registerPartial(name, handlebars.compile(source, options));
  }
  for (const [name, source] of Object.entries(templates.pages)) {
    if (!PAGE_NAME.test(name))
      throw new RenderError(`page name "${name}" must be lower-case words and slashes`);
    handlebars.registerPartial(`page:${name}`, handlebars.compile(source, options));
  }
  const layout = handlebars.compile(templates.layout, options);
  const stylesheet = handlebars.compile(templates.stylesheet, { ...options, noEscape: true });
  const styles = new Map<string, { css: Handlebars.SafeString; hash: string }>();
  const styleFor = (site: PageSite) => {
    const key = `${site.accents.light} ${site.accents.dark}`;
    let style = styles.get(key);
    if (style === undefined) {
      const css = stylesheet(pagePalette(site.accents));
      style = {
        css: new Handlebars.SafeString(css),
        hash: `sha256-${createHash('sha256').update(css, 'utf8').digest('base64')}`,
      };
      styles.set(key, style);
    }
    return style;
  };
  return {
    pages: Object.keys(templates.pages).sort(),
    render(site, page, view) {
      if (!(page in templates.pages)) {
        throw new RenderError(`no page "${page}" (known: ${Object.keys(templates.pages).sort().join(', ')})`);
      }
      const style = styleFor(site);
      let html: string;
      try {
        html = layout({
          site,
          title: view.title,
          stylesheet: style.css,
          template: `page:${page}`,
          page: view,
        });
      } catch (cause) {
        throw new RenderError(`page "${page}": ${(cause as Error).message}`, { cause });
      }
      return {
        html,
        styleHash: style.hash,
        imageOrigins: site.logoUrl === undefined ? [] : [new URL(site.logoUrl).origin],
      };
    },
  };
}
