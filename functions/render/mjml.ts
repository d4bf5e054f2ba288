import Handlebars from 'handlebars';
import type mjml from 'mjml';
import { RenderError } from '../core/render/errors.ts';
import type { TemplateSet } from './template-set.ts';

type Compiled = (context: object) => string;

interface CompiledSet {
  layouts: Map<string, Compiled>;
  partials: Map<string, Compiled>;
}

const compiledSets = new WeakMap<TemplateSet, CompiledSet>();

type Mjml2Html = typeof mjml;
let loadedMjml: Promise<Mjml2Html> | undefined;

/** MJML (4 MB) loads on the first render, not at cold start: listing issues renders nothing. */
function mjml2html(): Promise<Mjml2Html> {
  loadedMjml ??= import('mjml').then((module) => module.default);
  return loadedMjml;
}

function compiledSet(templates: TemplateSet): CompiledSet {
  let compiled = compiledSets.get(templates);
  if (!compiled) {
    const handlebars = Handlebars.create();
    const partials = new Map<string, Compiled>();
    for (const [name, source] of Object.entries(templates.partials)) {
      const partial = handlebars.compile(source, { strict: true, preventIndent: true });
      handlebars.registerPartial(name, partial);
      partials.set(name, partial);
    }
    const layouts = new Map<string, Compiled>();
    for (const [name, source] of Object.entries(templates.layouts)) {
      layouts.set(name, handlebars.compile(source, { strict: true, preventIndent: true }));
    }
    compiled = { layouts, partials };
    compiledSets.set(templates, compiled);
  }
  return compiled;
}

/** Fills a layout (Handlebars) with a view model whose text is escaped already. */
export function fillLayout(templates: TemplateSet, layout: string, view: object): string {
  const template = compiledSet(templates).layouts.get(layout);
  if (!template) {
    const known = Object.keys(templates.layouts).join(', ');
    throw new RenderError(`no layout "${layout}" in the template set (known: ${known})`);
  }
  try {
    return template(view);
  } catch (cause) {
    throw new RenderError(`layout "${layout}": ${(cause as Error).message}`, { cause });
  }
}

/** Fills one partial alone (Handlebars only), or `null` when the set has no such partial. */
export function fillPartial(templates: TemplateSet, name: string, view: object): string | null {
  const partial = compiledSet(templates).partials.get(name);
  if (!partial) return null;
  try {
    return partial(view);
  } catch (cause) {
    throw new RenderError(`partial "${name}": ${(cause as Error).message}`, { cause });
  }
}

/**
 * MJML to HTML with strict validation (a template mistake fails loudly), no web fonts (no external
 * CSS), no comments, and whitespace between lines squeezed (HTML treats a newline as a space).
 */
export async function mjmlToHtml(source: string, where: string): Promise<string> {
  let html: string;
  try {
    const toHtml = await mjml2html();
    const result = await toHtml(source, {
      validationLevel: 'strict',
      fonts: {},
      keepComments: false,
      minify: false,
      beautify: false,
      ignoreIncludes: true,
    });
    html = result.html;
  } catch (cause) {
    throw new RenderError(`${where}: MJML: ${(cause as Error).message}`, { cause });
  }
  return asciiHtml(html.replace(/[ \t]*\n\s*/g, '\n'));
}

/**
 * Every non-ASCII character outside `<style>` as a numeric reference (slot marks excepted): the same
 * document, but a one-byte string that is cheap to copy and encode for every recipient.
 */
export function asciiHtml(html: string): string {
  return html
    .split(/(<style[^>]*>[\s\S]*?<\/style>)/i)
    .map((part, i) =>
      i % 2 === 1
        ? part
        : part.replace(/[^\u0000-\u007F\uE000\uE001]/gu, (c) => `&#${c.codePointAt(0) ?? 0xfffd};`),
    )
    .join('');
}

/** Handlebars, then MJML: one finished HTML document. */
export async function renderLayout(templates: TemplateSet, layout: string, view: object): Promise<string> {
  return mjmlToHtml(fillLayout(templates, layout, view), `layout "${layout}"`);
}
