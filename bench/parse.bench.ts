import { parseArticle } from '../functions/core/content/parse-article.ts';
import { generateCorpus } from './digest-corpus.ts';

/** Article parsing throughput on 1,000 generated articles of ~10 KB (see digest-corpus.ts). */
export default async function parseBench(): Promise<Record<string, unknown>> {
  const { files, bytes } = await generateCorpus(1000);
  for (const file of files.slice(0, 50)) parseArticle(file);
  const runs: number[] = [];
  let parsed = 0;
  for (let run = 0; run < 3; run++) {
    const started = performance.now();
    parsed = 0;
    for (const file of files) if (parseArticle(file).article) parsed++;
    runs.push(performance.now() - started);
  }
  const ms = Math.min(...runs);
  return {
    articles: files.length,
    parsed,
    megabytes: +(bytes / 1e6).toFixed(2),
    ms: Math.round(ms),
    articlesPerSecond: Math.round((files.length / ms) * 1000),
    megabytesPerSecond: +(bytes / 1e6 / (ms / 1000)).toFixed(1),
  };
}
