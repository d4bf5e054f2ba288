import { describe, expect, it } from 'vitest';
import { applyMerge, planDedupe } from '../../functions/core/subscribers/dedupe.ts';
import { emailIdentity } from '../../functions/core/subscribers/email.ts';
import { newSubscriberId } from '../../functions/core/subscribers/ids.ts';
import { newConfirmedSubscriber, unsubscribe } from '../../functions/core/subscribers/lifecycle.ts';
import type { Subscriber } from '../../functions/core/subscribers/model.ts';
import { suppress } from '../../functions/core/subscribers/suppression.ts';

const at = (day: number) => new Date(Date.UTC(2026, 0, day)).toISOString();

function confirmed(email: string, digests: string[], day: number): Subscriber {
  return newConfirmedSubscriber(
    newSubscriberId(),
    { email, digests, consent: { method: 'form', requestedAt: at(day), confirmedAt: at(day) } },
    new Date(at(day)),
  );
}

describe('addresses compared case-folded', () => {
  it('folds the local part as well as the domain', () => {
    expect(emailIdentity('Ann.Lee+News@example.com')).toBe('ann.lee+news@example.com');
  });
});

describe('planning the merge of case duplicates', () => {
  it('keeps the one confirmed first, with every confirmed digest; leaves single addresses alone', () => {
    const later = confirmed('dup@example.com', ['everything'], 5);
    const first = confirmed('Dup@example.com', ['weekly-diplomacy'], 2);
    const left = unsubscribe(confirmed('DUP@example.com', ['monthly-security'], 1), new Date(at(3)));
    if (left === undefined) throw new Error('not unsubscribed');
    const [group, ...others] = planDedupe([
      later,
      first,
      left,
      confirmed('solo@example.com', ['everything'], 1),
    ]);
    expect(others).toEqual([]);
    expect(group?.identity).toBe('dup@example.com');
    expect(group?.keep.id).toBe(first.id);
    expect(group?.remove.map((s) => s.id).sort()).toEqual([later.id, left.id].sort());
    expect(group?.merged).toEqual({ status: 'confirmed', digests: ['weekly-diplomacy', 'everything'] });
    if (group === undefined) throw new Error('no group');
    expect(applyMerge(first, group, new Date(at(9)))?.digests).toEqual(['weekly-diplomacy', 'everything']);
    expect(applyMerge({ ...first, digests: ['weekly-diplomacy', 'everything'] }, group, new Date())).toBe(
      undefined,
    );
  });

  it('suppresses the kept one when any of the group was suppressed, with the strongest reason', () => {
    const bounced = suppress(confirmed('Ann@example.com', ['everything'], 1), {
      reason: 'bounce',
      at: at(4),
    });
    const complained = suppress(confirmed('ANN@example.com', ['everything'], 2), {
      reason: 'complaint',
      at: at(5),
    });
    const fine = confirmed('ann@example.com', ['everything'], 3);
    if (bounced === undefined || complained === undefined) throw new Error('not suppressed');
    const [group] = planDedupe([bounced, complained, fine]);
    expect(group?.keep.id).toBe(fine.id);
    expect(group?.merged.suppression?.reason).toBe('complaint');
    if (group === undefined) throw new Error('no group');
    expect(applyMerge(fine, group, new Date())).toMatchObject({
      status: 'suppressed',
      suppression: { reason: 'complaint' },
    });
  });
});
