import path from 'node:path';
import { FsContentSource } from '../../functions/adapters/fs-content-source.ts';
import { loadContent } from '../../functions/core/content/load-content.ts';
import { parseSources, SOURCES_FILE } from '../../functions/core/feeds/sources.ts';
import { eventBridgeProblems } from '../../functions/core/schedule/schedule-report.ts';
import { type Command, EXIT_INVALID, EXIT_OK, parseFlags } from '../cli-kit.ts';
import { unmatchedThemeProblem, unmatchedThemes } from '../theme-coverage.ts';

export const DEFAULT_CONTENT_DIR = 'content';

export const command: Command = {
  summary: 'validate content config (sources.yaml too) and every article',
  usage: 'broadsheet check [--content DIR] [--articles DIR] [--json]',
  flags: [
    {
      flag: '--content DIR',
      help: `content folder with themes.yaml and digests.yaml (default ${DEFAULT_CONTENT_DIR})`,
    },
    { flag: '--articles DIR', help: 'articles folder (default DIR/articles of --content)' },
    { flag: '--json', help: 'print the articles and problems as JSON' },
  ],
  examples: ['broadsheet check', 'broadsheet check --content content --json'],
  async run(argv, io) {
    const { values } = parseFlags(argv, {
      content: { type: 'string', default: DEFAULT_CONTENT_DIR },
      articles: { type: 'string' },
      json: { type: 'boolean', default: false },
    });
    const root = path.resolve(values.content);
    const source = new FsContentSource(root, values.articles ? path.resolve(values.articles) : undefined);
    const { config, articles, problems } = await loadContent(source);
    if (config) problems.push(...eventBridgeProblems(config.digests));
    const sourcesText = await source.readConfigFile(SOURCES_FILE).catch(() => null);
    if (sourcesText !== null) problems.push(...parseSources(sourcesText).problems);
    const unmatched = config ? unmatchedThemes(articles, config) : [];
    problems.push(...unmatched.map((theme) => unmatchedThemeProblem(theme, articles.length)));
    if (values.json) {
      const report = {
        articles: articles.map((a) => ({
          id: a.id,
          file: a.file,
          title: a.title,
          author: a.author,
          views: a.views,
          date: a.date,
          tags: a.tags,
          words: a.words,
          sections: a.sections.map((s) => ({
            heading: s.heading,
            paragraphs: s.blocks.filter((b) => b.type === 'paragraph').length,
            listItems: s.blocks.reduce((n, b) => n + (b.type === 'list' ? b.items.length : 0), 0),
          })),
        })),
        unmatchedThemes: unmatched,
        problems,
      };
      io.out(JSON.stringify(report, null, 2));
    } else {
      for (const a of articles) {
        io.out(
          `${a.id}  "${a.title}"  by ${a.author ?? 'unknown'}  ${a.words} words  ${a.sections.length} sections`,
        );
      }
      for (const p of problems)
        io.out(`${p.file}: ${p.severity === 'warning' ? 'warning: ' : ''}${p.message}`);
      const errors = problems.filter((p) => p.severity === 'error').length;
      io.out(`${articles.length} articles valid, ${errors} errors, ${problems.length - errors} warnings`);
    }
    return problems.some((p) => p.severity === 'error') ? EXIT_INVALID : EXIT_OK;
  },
};
