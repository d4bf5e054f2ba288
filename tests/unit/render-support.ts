import { readFile } from 'node:fs/promises';
import { type DefaultTreeAdapterTypes, parse } from 'parse5';
import { loadTemplateSet } from '../../functions/adapters/fs-templates.ts';
import { type DigestConfig, parseContentConfig } from '../../functions/core/content/config.ts';
import { parseSiteConfig, type SiteConfig } from '../../functions/core/content/site.ts';
import { type Digest, digestSchema } from '../../functions/core/digest/model.ts';
import type { TemplateSet } from '../../functions/render/template-set.ts';

export const ARCHIVE_URL = 'https://broadsheet.example/archive/everything/2025-11-21.html';

export const READER = {
  email: 'reader@example.com',
  name: 'Sam Reader',
  unsubscribeUrl: 'https://broadsheet.example/unsubscribe?token=abc&digest=everything',
  preferencesUrl: 'https://broadsheet.example/preferences?token=abc',
};

export async function sampleDigest(): Promise<Digest> {
  const url = new URL('../fixtures/digest-sample.json', import.meta.url);
  return digestSchema.parse(JSON.parse(await readFile(url, 'utf8')));
}

const CONTENT_ROOT = new URL('../../content/', import.meta.url);

/** The shipped sample publication's brand (content/site.yaml): tests read its name, never spell it. */
export async function siteConfig(): Promise<SiteConfig> {
  const parsed = parseSiteConfig(await readFile(new URL('site.yaml', CONTENT_ROOT), 'utf8'));
  if (!parsed.ok) throw new Error(parsed.problems.map((p) => p.message).join('; '));
  return parsed.value;
}

export async function digestConfigs(): Promise<DigestConfig[]> {
  const root = CONTENT_ROOT;
  const parsed = parseContentConfig(
    await readFile(new URL('themes.yaml', root), 'utf8'),
    await readFile(new URL('digests.yaml', root), 'utf8'),
    await readFile(new URL('site.yaml', root), 'utf8'),
  );
  if (!parsed.ok) throw new Error(parsed.problems.map((p) => p.message).join('; '));
  return parsed.value.digests;
}

export async function digestConfig(id: string): Promise<DigestConfig> {
  const config = (await digestConfigs()).find((d) => d.id === id);
  if (!config) throw new Error(`no digest config ${id}`);
  return config;
}

/** Slots made visible (`⟦email⟧`) so snapshots can be read. */
export function showSlots(text: string): string {
  return text.replace(/\uE000([A-Za-z]+)\uE001/g, '⟦$1⟧');
}

let templateSet: Promise<TemplateSet> | undefined;
export function templates(): Promise<TemplateSet> {
  templateSet ??= loadTemplateSet();
  return templateSet;
}

export type Element = DefaultTreeAdapterTypes.Element;
type Node = DefaultTreeAdapterTypes.ChildNode | DefaultTreeAdapterTypes.Document;

export interface ParsedHtml {
  elements: Element[];
  /** Text of every text node, decoded, in document order (what a reader sees, plus hidden text). */
  texts: string[];
  attr(element: Element, name: string): string | undefined;
}

/** Parses HTML the way a browser does (parse5) and lists its elements and text. */
export function parseHtml(html: string): ParsedHtml {
  const elements: Element[] = [];
  const texts: string[] = [];
  const visit = (node: Node): void => {
    if (node.nodeName === '#text' && 'value' in node) texts.push(node.value);
    if ('tagName' in node) elements.push(node);
    const children =
      'content' in node && node.nodeName === 'template' ? [] : 'childNodes' in node ? node.childNodes : [];
    for (const child of children) visit(child);
  };
  visit(parse(html));
  return {
    elements,
    texts,
    attr: (element, name) => element.attrs.find((a) => a.name === name)?.value,
  };
}

/** Strings an article author might try; each must come out as inert text. */
export const HOSTILE = {
  handlebars: '{{x}} {{{x}}} {{recipient.email}} {{> partial}} {{#each x}}',
  script: '<script>alert(1)</script>',
  mjml: '</mj-text></mj-column></mj-section><mj-raw><script>alert(2)</script></mj-raw><mj-include path="/etc/passwd" />',
  onerror: '<img src=x onerror="alert(3)"> " onerror="alert(4)',
  slotMarks: '\uE000email\uE001 \uE000unsubscribeUrl\uE001 \uE001',
  crlf: 'Breaking\r\nBcc: victim@example.com\r\n\r\n<b>body</b>',
  bidi: 'moc.elpmaxe\u202E.evil',
  comment: '--><!-- <!--[if mso]><script>alert(5)</script><![endif]-->',
};

/** A digest whose every text field is hostile; built as an object, so it bypasses the zod model. */
export function hostileDigest(base: Digest): Digest {
  const everything = Object.values(HOSTILE).join(' ');
  const first = base.sections[0];
  const firstStory = first?.stories[0];
  if (!first || !firstStory) throw new Error('sample digest has no story');
  return {
    ...base,
    title: `${HOSTILE.crlf} ${HOSTILE.handlebars}`,
    description: everything,
    subject: `Issue ${HOSTILE.crlf} ${HOSTILE.handlebars}`,
    preheader: `${HOSTILE.script} ${HOSTILE.handlebars}`,
    sections: [
      {
        ...first,
        title: `${HOSTILE.mjml} ${HOSTILE.comment}`,
        description: everything,
        stories: [
          {
            ...firstStory,
            headline: `${HOSTILE.script} ${HOSTILE.crlf}`,
            summary: [
              HOSTILE.handlebars,
              HOSTILE.mjml,
              HOSTILE.onerror,
              `${HOSTILE.slotMarks} ${HOSTILE.bidi}`,
            ],
            sourceIds: ['js', 'data', 'quote', 'credentials', 'ok'],
          },
        ],
      },
    ],
    keyFacts: [
      {
        when: HOSTILE.script,
        sortKey: '2018',
        place: HOSTILE.handlebars,
        text: everything,
        sourceIds: ['js', 'ok'],
      },
    ],
    sources: [
      {
        id: 'js',
        title: `JS ${HOSTILE.script}`,
        author: HOSTILE.onerror,
        url: 'javascript:alert(1)',
        file: 'a.txt',
        copyOf: null,
      },
      {
        id: 'data',
        title: 'Data',
        author: null,
        url: 'data:text/html,<script>alert(6)</script>',
        file: 'b.txt',
        copyOf: null,
      },
      {
        id: 'quote',
        title: 'Quote',
        author: null,
        url: 'https://example.com/"><script>alert(7)</script>',
        file: 'c.txt',
        copyOf: null,
      },
      {
        id: 'credentials',
        title: 'Creds',
        author: null,
        url: 'https://user:pw@example.com/',
        file: 'd.txt',
        copyOf: null,
      },
      {
        id: 'ok',
        title: `OK ${HOSTILE.slotMarks}`,
        author: HOSTILE.handlebars,
        url: 'https://example.org/ok?a=1&b=2',
        file: 'e.txt',
        copyOf: null,
      },
    ],
  };
}
