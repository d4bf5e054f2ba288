import { describe, expect, it } from 'vitest';
import { parseArticles } from '../../functions/core/content/load-content.ts';
import { buildDigest } from '../../functions/core/digest/build-digest.ts';

const WIRE = [
  'GENEVA, 9 April 2024 (Wire) — The health council declared the outbreak an international emergency on Tuesday after its committee met for six hours in Geneva.',
  'The committee said the virus had spread to three countries in six weeks and that hospitals in the port city were close to full.',
  'Delegates agreed that countries should share samples within seven days and that no travel bans were justified at this stage.',
  'The council will review the declaration in three months, the chair told reporters after the meeting in Geneva.',
];

function file(name: string, date: string, title: string, paragraphs: string[]) {
  const text = `---\ntitle: ${title}\ndate: ${date}\n---\n\n${paragraphs.join('\n\n')}\n`;
  return { name, bytes: new TextEncoder().encode(text) };
}

const theme = {
  id: 'health',
  title: 'Health emergencies',
  description: 'Outbreaks and declarations.',
  terms: ['outbreak', 'emergency', 'virus', 'committee', 'declaration'],
};
const digest = {
  id: 'd',
  title: 'D',
  description: 'D.',
  themes: ['health'],
  schedule: { cron: '0 7 * * 1', timezone: 'UTC' },
  visualTheme: 'light' as const,
  template: 'digest',
  sender: { name: 'D', address: 'd@example.com' },
  postalAddress: 'Somewhere',
};

describe('syndicated copies', () => {
  it('credit a near-identical copy as a copy of the earlier original', () => {
    const { articles } = parseArticles([
      file('wire.md', '2024-04-09', 'Health council declares emergency', WIRE),
      file('copy.md', '2024-04-10', 'Emergency declared in Geneva', [
        'Our partners at the wire report:',
        ...WIRE,
      ]),
    ]);
    const d = buildDigest({
      articles,
      themes: [theme],
      digest,
      issueDate: '2024-04-15',
      sentArticleIds: new Set(),
      includeAll: true,
    });
    const byId = new Map(d.sources.map((s) => [s.id, s]));
    expect(byId.get('copy')?.copyOf).toBe('wire');
    expect(byId.get('wire')?.copyOf).toBeNull();
  });

  it("are found only where an outlet runs another's copy: the one pair of each eval corpus that has one", async () => {
    const { buildCorpus } = await import('../../eval/evaluate.ts');
    for (const [corpus, copy, original] of [
      ['outbreak', 'northern-post-kenya-cases-double', 'meridian-kenya-cases-double'],
      ['space-programme', 'coastal-courier-lisbon-agreement', 'mpa-lisbon-agreement-signed'],
    ] as const) {
      const { digest: built } = await buildCorpus(`eval/corpora/${corpus}`);
      const copies = built.sources.filter((source) => source.copyOf !== null);
      expect(copies.map((c) => [c.id, c.copyOf])).toEqual([[copy, original]]);
    }
  });
});
