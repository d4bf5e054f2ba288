import { describe, expect, it } from 'vitest';
import { parseArticles } from '../../functions/core/content/load-content.ts';
import { analyse } from '../../functions/core/digest/analysis.ts';
import { themedSections } from '../../functions/core/digest/sections.ts';

const THEMES = [
  {
    id: 'strikes',
    title: 'Strikes',
    description: 'Industrial action by workers.',
    terms: ['strike', 'dockers', 'pickets', 'union'],
  },
  {
    id: 'shipping',
    title: 'Shipping',
    description: 'Disruption to trade.',
    terms: ['ships', 'vessels', 'cargo', 'anchor'],
  },
];

const BODY = [
  'Dockers at Tallmoor began a strike on Monday; union pickets stood at the gates while ships waited at anchor with their cargo and vessels.',
];

function sectionOf(title: string): string | undefined {
  const text = ['---', `title: "${title}"`, 'date: 2025-03-10', '---', '', ...BODY.flatMap((p) => [p, ''])];
  const { articles } = parseArticles([
    { name: 'report.md', bytes: new TextEncoder().encode(text.join('\n')) },
  ]);
  const sections = themedSections(analyse(articles, THEMES), THEMES, THEMES);
  return [...sections].find(([, stories]) => stories.length > 0)?.[0];
}

describe("a story's section", () => {
  it('is the theme its passages say most about, tipped by what its headline says happened', () => {
    expect(sectionOf('Tallmoor dockers begin strike as ships wait at anchor')).toBe('strikes');
    expect(sectionOf('Ships wait at anchor as Tallmoor dockers begin strike')).toBe('shipping');
  });
});
