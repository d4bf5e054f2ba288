import { FsContentSource } from '../functions/adapters/fs-content-source.ts';
import { loadTemplateSet } from '../functions/adapters/fs-templates.ts';
import { loadContent } from '../functions/core/content/load-content.ts';
import { buildDigest } from '../functions/core/digest/build-digest.ts';
import { personalise, type Recipient } from '../functions/core/render/personalise.ts';
import { renderIssue } from '../functions/render/render-issue.ts';

/**
 * One issue (the seed 'everything' digest, the biggest), 100,000 recipients: personalised messages per second with `personalise` (a slot fill)
 * against rendering MJML for every recipient (measured on a sample, extrapolated), in the same run.
 */
const RECIPIENTS = 100_000;
const MJML_SAMPLE = 200;
const DIGEST_ID = 'everything';
const ISSUE_DATE = '2025-11-21';
const ARCHIVE_URL = `https://broadsheet.example/archive/${DIGEST_ID}/${ISSUE_DATE}.html`;

function recipient(i: number): Recipient {
  return {
    email: `reader${i}@example.com`,
    ...(i % 3 === 0 ? {} : { name: `Reader Number ${i}` }),
    unsubscribeUrl: `https://broadsheet.example/unsubscribe?token=${i.toString(36).padStart(40, 'x')}`,
    preferencesUrl: `https://broadsheet.example/preferences?token=${i.toString(36).padStart(40, 'y')}`,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

const round = (n: number, digits = 0) => Number(n.toFixed(digits));

export default async function bench(): Promise<Record<string, unknown>> {
  const content = await loadContent(new FsContentSource(new URL('../content/', import.meta.url).pathname));
  if (!content.config) throw new Error('content config is invalid');
  const digestConfig = content.config.digests.find((d) => d.id === DIGEST_ID);
  if (!digestConfig) throw new Error(`no digest config ${DIGEST_ID}`);
  const digest = buildDigest({
    digest: digestConfig,
    issueDate: ISSUE_DATE,
    sentArticleIds: new Set(),
    includeAll: true,
    articles: content.articles,
    themes: content.config.themes,
  });
  const templates = await loadTemplateSet();
  const input = { digest, digestConfig, templates, archiveUrl: ARCHIVE_URL };

  let started = performance.now();
  const template = await renderIssue(input);
  const coldRenderMs = performance.now() - started;
  const warmRenders: number[] = [];
  for (let i = 0; i < 20; i += 1) {
    started = performance.now();
    await renderIssue(input);
    warmRenders.push(performance.now() - started);
  }

  const recipients = Array.from({ length: RECIPIENTS }, (_, i) => recipient(i));
  for (let i = 0; i < 2_000; i += 1) personalise(template, recipients[i % RECIPIENTS] ?? recipient(i));

  let checksum = 0;
  started = performance.now();
  for (const r of recipients) {
    const email = personalise(template, r);
    checksum += email.html.length + email.text.length + email.subject.length;
  }
  const personaliseMs = performance.now() - started;

  // The same, also encoding each message to UTF-8 bytes as a mailer must (flattens V8's string ropes).
  let bytes = 0;
  started = performance.now();
  for (const r of recipients) {
    const email = personalise(template, r);
    bytes += Buffer.byteLength(email.html) + Buffer.byteLength(email.text);
  }
  const personaliseAndEncodeMs = performance.now() - started;

  started = performance.now();
  for (let i = 0; i < MJML_SAMPLE; i += 1) {
    const perRecipient = await renderIssue(input);
    const email = personalise(perRecipient, recipients[i] ?? recipient(i));
    checksum += email.html.length;
  }
  const mjmlSampleMs = performance.now() - started;

  const personalisedPerSecond = RECIPIENTS / (personaliseMs / 1000);
  const encodedPerSecond = RECIPIENTS / (personaliseAndEncodeMs / 1000);
  const mjmlPerRecipientPerSecond = MJML_SAMPLE / (mjmlSampleMs / 1000);
  return {
    digest: `${DIGEST_ID} ${ISSUE_DATE}: ${digest.counts.stories} stories`,
    recipients: RECIPIENTS,
    htmlTemplateBytes: Buffer.byteLength(template.html),
    htmlFilledBytes: Buffer.byteLength(personalise(template, recipient(1)).html),
    textFilledBytes: Buffer.byteLength(personalise(template, recipient(1)).text),
    renderIssueColdMs: round(coldRenderMs, 1),
    renderIssueWarmMedianMs: round(median(warmRenders), 1),
    personalise: {
      totalMs: round(personaliseMs),
      messagesPerSecond: round(personalisedPerSecond),
      microsecondsPerMessage: round((personaliseMs * 1000) / RECIPIENTS, 2),
    },
    personaliseAndUtf8Encode: {
      totalMs: round(personaliseAndEncodeMs),
      messagesPerSecond: round(encodedPerSecond),
      megabytesEncoded: round(bytes / 1e6),
    },
    mjmlPerRecipient: {
      sample: MJML_SAMPLE,
      sampleMs: round(mjmlSampleMs),
      messagesPerSecond: round(mjmlPerRecipientPerSecond, 1),
      extrapolatedSecondsFor100k: round(RECIPIENTS / mjmlPerRecipientPerSecond),
    },
    speedup: round(personalisedPerSecond / mjmlPerRecipientPerSecond),
    speedupIncludingUtf8Encode: round(encodedPerSecond / mjmlPerRecipientPerSecond),
    targets: { messagesPerSecond: 100_000, speedup: 1_000 },
    checksum: checksum > 0,
  };
}
