import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoSubscriberStore } from '../functions/adapters/dynamodb-subscriber-store.ts';
import { mapConcurrently } from '../functions/core/concurrency.ts';
import { startStackProcess } from '../tests/integration/local-stack-process.ts';
import { confirmedSubscriber } from '../tests/integration/sending-harness.ts';

/**
 * Sending on the real local stack (`npm start` as a child process, emulators included): 10,000
 * confirmed subscribers, one issue, the account's send rate set with --send-rate. Reports the rate
 * held from the first send to the last against the configured one, and the stack's peak RSS (VmHWM).
 * Targets: ≥ 95 % of the configured rate, peak RSS < 1.5 GB. BENCH_LOCAL_SUBSCRIBERS and
 * BENCH_LOCAL_SEND_RATE change the workload; BENCH_LOCAL_CPU_PROF=DIR writes the stack's CPU profile.
 */
const SUBSCRIBERS = Number(process.env.BENCH_LOCAL_SUBSCRIBERS ?? 10_000);
const SEND_RATE = Number(process.env.BENCH_LOCAL_SEND_RATE ?? 50);
const DIGEST = 'weekly-diplomacy';

/** CPU seconds (user + system) the process has used so far. */
function cpuSecondsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function memoryOf(pid: number): { rssMb: number; peakMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
  return { rssMb: Math.round(kb('VmRSS') / 1024), peakMb: Math.round(kb('VmHWM') / 1024) };
}

export default async function localStackBench(): Promise<Record<string, unknown>> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'broadsheet-bench-'));
  const profileDir = process.env.BENCH_LOCAL_CPU_PROF;
  const stack = startStackProcess({
    dataDir,
    args: ['--send-rate', String(SEND_RATE)],
    ...(profileDir ? { nodeArgs: ['--cpu-prof', '--cpu-prof-dir', profileDir] } : {}),
  });
  try {
    const urls = await stack.ready;
    const pid = stack.child.pid ?? 0;
    const db = DynamoDBDocumentClient.from(
      new DynamoDBClient({
        region: 'us-east-1',
        endpoint: urls.endpoints.dynamodb,
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      }),
      { marshallOptions: { removeUndefinedValues: true } },
    );
    const store = new DynamoSubscriberStore(db, 'broadsheet-subscribers');
    let seeded = performance.now();
    await mapConcurrently(
      Array.from({ length: SUBSCRIBERS }, (_, i) => i),
      8,
      (i) => store.create(confirmedSubscriber(`reader${i}@example.com`, [DIGEST])),
    );
    seeded = (performance.now() - seeded) / 1000;

    const token = (await readFile(path.join(dataDir, 'operator-token'), 'utf8')).trim();
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const triggered = performance.now();
    const post = await fetch(`${urls.urls.app}/issues`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ digestId: DIGEST }),
    });
    const { issue } = (await post.json()) as { issue: { issueId: string } };
    const answeredSeconds = (performance.now() - triggered) / 1000;
    let firstSend: { at: number; sent: number } | undefined;
    let last = { at: 0, sent: 0, status: 'sending' };
    let peakRssMb = 0;
    const cpuBefore = cpuSecondsOf(pid);
    const timeline: number[] = [];
    let windowStart = { at: performance.now(), sent: 0 };
    while (last.status === 'sending' || last.status === 'building') {
      await new Promise((resolve) => setTimeout(resolve, 250));
      const view = (await (await fetch(`${urls.urls.app}/issues/${issue.issueId}`, { headers })).json()) as {
        issue: { status: string; counts: { sent: number } };
      };
      const now = performance.now();
      last = { at: now, sent: view.issue.counts.sent, status: view.issue.status };
      if (firstSend === undefined && last.sent > 0) firstSend = { at: now, sent: last.sent };
      peakRssMb = Math.max(peakRssMb, memoryOf(pid).rssMb);
      if (now - windowStart.at >= 10_000) {
        timeline.push(Math.round(((last.sent - windowStart.sent) / (now - windowStart.at)) * 1000));
        windowStart = { at: now, sent: last.sent };
      }
    }
    const cpuSeconds = cpuSecondsOf(pid) - cpuBefore;
    const memory = memoryOf(pid);
    const sendSeconds = firstSend ? (last.at - firstSend.at) / 1000 : 0;
    const rate = firstSend && sendSeconds > 0 ? (last.sent - firstSend.sent) / sendSeconds : 0;
    return {
      subscribers: SUBSCRIBERS,
      seedSeconds: +seeded.toFixed(1),
      triggerAnsweredSeconds: +answeredSeconds.toFixed(2),
      status: last.status,
      sent: last.sent,
      configuredRate: SEND_RATE,
      sendsPerSecond: +rate.toFixed(1),
      ofConfiguredRate: `${((rate / SEND_RATE) * 100).toFixed(1)} %`,
      totalSeconds: +((last.at - triggered) / 1000).toFixed(1),
      sendsPerSecondEach10s: timeline,
      stackCpuShare: `${((cpuSeconds / ((last.at - triggered) / 1000)) * 100).toFixed(0)} % of a core`,
      peakRssMb: Math.max(memory.peakMb, peakRssMb),
      rssAtEndMb: memory.rssMb,
      targets: { rate: rate >= 0.95 * SEND_RATE, rss: Math.max(memory.peakMb, peakRssMb) < 1536 },
    };
  } finally {
    await stack.kill('SIGTERM');
    await rm(dataDir, { recursive: true, force: true });
  }
}
