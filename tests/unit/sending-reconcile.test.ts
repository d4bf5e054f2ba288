import { describe, expect, it } from 'vitest';
import { emptyCounts } from '../../functions/core/sending/issue.ts';
import { tallyOf } from '../../functions/core/sending/ledger.ts';
import { QUIET_MS, reconcileIssue } from '../../functions/core/sending/reconcile.ts';
import { MemoryIssues, MemoryLedger } from './sending-fakes.ts';

const ISSUE = 'weekly-2026-11-23';
const UPDATED = Date.parse('2026-11-23T07:00:00.000Z');

function setup(batches: number) {
  const issues = new MemoryIssues();
  const ledger = new MemoryLedger();
  issues.add(ISSUE, 'weekly', { counts: { ...emptyCounts, recipients: batches * 50, batches } });
  const warnings: string[] = [];
  const at = (ms: number) => ({
    issues,
    ledger,
    clock: { now: () => new Date(UPDATED + ms) },
    log: {
      debug: () => undefined,
      info: () => undefined,
      warn: (m: string) => warnings.push(m),
      error: () => undefined,
    },
  });
  /** A batch whose tally was recorded and counted, as send-batch does it. */
  const counted = async (batchId: string, sent: number) => {
    const tally = tallyOf(
      batchId,
      new Map(Array.from({ length: sent }, (_, i) => [`s:${batchId}-${i}`, 'sent'] as const)),
    );
    await ledger.recordTally(ISSUE, tally, UPDATED);
    await issues.addTally(ISSUE, tally);
  };
  /** A batch whose sender died after recording the tally, before adding it to the counts. */
  const lost = async (batchId: string, sent: number, recordedAt = UPDATED) => {
    const tally = tallyOf(
      batchId,
      new Map(Array.from({ length: sent }, (_, i) => [`s:${batchId}-${i}`, 'sent'] as const)),
    );
    await ledger.recordTally(ISSUE, tally, recordedAt);
  };
  return { issues, ledger, at, counted, lost, warnings };
}

describe('repairing counts lost between a tally and its addition', () => {
  it('sets the counts from the tallies once nothing has moved for a while, and completes the issue', async () => {
    const w = setup(2);
    await w.counted('p0-m0', 50);
    await w.lost('p0-m1', 50);
    const stored = await w.issues.get(ISSUE);
    if (stored === null) throw new Error('no issue');
    expect(await reconcileIssue(stored, w.at(QUIET_MS - 1))).toMatchObject({ status: 'sending' });
    const repaired = await reconcileIssue(stored, w.at(QUIET_MS));
    expect(repaired.status).toBe('sent');
    expect(repaired.counts).toMatchObject({ batchesDone: 2, sent: 100 });
    expect(w.warnings).toEqual(['issue counts repaired from the batch tallies']);
  });

  it('leaves an issue alone whose batches are still on their way (no tally yet)', async () => {
    const w = setup(3);
    await w.counted('p0-m0', 50);
    const stored = await w.issues.get(ISSUE);
    if (stored === null) throw new Error('no issue');
    expect(await reconcileIssue(stored, w.at(QUIET_MS * 10))).toMatchObject({
      status: 'sending',
      counts: { batchesDone: 1 },
    });
  });

  it('does not race a sender that has just recorded a tally', async () => {
    const w = setup(2);
    await w.counted('p0-m0', 50);
    await w.lost('p0-m1', 50, UPDATED + QUIET_MS * 5);
    const stored = await w.issues.get(ISSUE);
    if (stored === null) throw new Error('no issue');
    expect((await reconcileIssue(stored, w.at(QUIET_MS * 5 + 1000))).counts.batchesDone).toBe(1);
  });
});
