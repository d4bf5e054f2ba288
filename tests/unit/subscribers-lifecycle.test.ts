import { describe, expect, it } from 'vitest';
import {
  chooseDigests,
  claimedConfirmation,
  claimedWelcome,
  confirm,
  leaveDigest,
  newConfirmedSubscriber,
  newPendingSubscriber,
  releaseConfirmation,
  releaseWelcome,
  requestSubscription,
  type SubscribeRequest,
  unsubscribe,
} from '../../functions/core/subscribers/lifecycle.ts';
import { activeDigests, type Subscriber, subscriberSchema } from '../../functions/core/subscribers/model.ts';
import {
  countSoftBounce,
  liftable,
  liftSuppression,
  recordDelivery,
  SOFT_BOUNCE_LIMIT,
  SOFT_BOUNCE_SPAN_DAYS,
  suppress,
} from '../../functions/core/subscribers/suppression.ts';

const ID = 'abcdefghijklmnopqrstuvwxyz';
const T0 = new Date('2026-03-01T09:00:00.000Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);
const POLICY = { confirmTokenTtlHours: 72, resendCooldownMinutes: 15 };
const REQUEST: SubscribeRequest = {
  email: 'ann@example.com',
  digests: ['weekly', 'weekly', 'monthly'],
  consent: { method: 'form', source: 'signup-page', ip: '192.0.2.1' },
};

function must(value: Subscriber | undefined): Subscriber {
  if (value === undefined) throw new Error('expected a change');
  return subscriberSchema.parse(value);
}

const pending = () => newPendingSubscriber(ID, REQUEST, T0, POLICY);
const confirmed = () => must(confirm(pending(), at(1)));

describe('subscriber life cycle', () => {
  it('a new sign-up is pending, de-duplicates digests, claims a confirmation and expires after the link plus a day', () => {
    const s = subscriberSchema.parse(pending());
    expect(s).toMatchObject({
      status: 'pending',
      digests: ['weekly', 'monthly'],
      confirmationSentAt: T0.toISOString(),
    });
    expect(s.expiresAt).toBe('2026-03-05T09:00:00.000Z');
    expect(activeDigests(s)).toEqual([]);
  });

  it('confirming makes the digests active, records when, and claims the welcome once', () => {
    const before = pending();
    const after = must(confirm(before, at(5)));
    expect(after).toMatchObject({ status: 'confirmed', confirmedAt: at(5).toISOString(), welcomeDue: false });
    expect(after.consent.confirmedAt).toBe(at(5).toISOString());
    expect(after.expiresAt).toBeUndefined();
    expect(activeDigests(after)).toEqual(['weekly', 'monthly']);
    expect(claimedWelcome(before, after)).toBe(true);
    expect(confirm(after, at(6))).toBeUndefined();
  });

  it('a released welcome is claimed again by the next confirmation', () => {
    const s = confirmed();
    const released = must(releaseWelcome(s.welcomeSentAt ?? '')(s));
    expect(released.welcomeDue).toBe(true);
    const again = must(confirm(released, at(10)));
    expect(claimedWelcome(released, again)).toBe(true);
  });

  it('asking again while pending re-sends only after the cool-down', () => {
    const s = pending();
    expect(requestSubscription(s, REQUEST, at(14), POLICY)).toBeUndefined();
    const changedDigests = must(requestSubscription(s, { ...REQUEST, digests: ['monthly'] }, at(14), POLICY));
    expect(changedDigests.digests).toEqual(['monthly']);
    expect(claimedConfirmation(s, changedDigests)).toBe(false);
    const later = must(requestSubscription(s, REQUEST, at(15), POLICY));
    expect(claimedConfirmation(s, later)).toBe(true);
    expect(later.expiresAt).toBe('2026-03-05T09:15:00.000Z');
  });

  it('a sign-up for a confirmed address only records a request; digests already received ask for nothing', () => {
    const s = confirmed();
    expect(requestSubscription(s, { ...REQUEST, digests: ['weekly'] }, at(60), POLICY)).toBeUndefined();
    const asked = must(requestSubscription(s, { ...REQUEST, digests: ['daily'] }, at(60), POLICY));
    expect(asked.digests).toEqual(['weekly', 'monthly']);
    expect(asked.request?.digests).toEqual(['daily']);
    expect(must(confirm(asked, at(61))).digests).toEqual(['weekly', 'monthly', 'daily']);
  });

  it('unsubscribing is final until the owner confirms a new request', () => {
    const s = must(unsubscribe(confirmed(), at(30)));
    expect(s).toMatchObject({ status: 'unsubscribed', unsubscribedAt: at(30).toISOString() });
    expect(unsubscribe(s, at(31))).toBeUndefined();
    expect(confirm(s, at(31))).toBeUndefined();
    const asked = must(requestSubscription(s, { ...REQUEST, digests: ['monthly'] }, at(60), POLICY));
    expect(asked.status).toBe('unsubscribed');
    const back = must(confirm(asked, at(61)));
    expect(back).toMatchObject({ status: 'confirmed', digests: ['monthly'] });
    expect(back.unsubscribedAt).toBeUndefined();
  });

  it('lifting a suppression gives a confirmed subscriber its digests back and anyone else nothing', () => {
    const wasConfirmed = must(
      countSoftBounce(
        {
          ...confirmed(),
          softBounces: 2,
          firstSoftBounceAt: at(-20_000).toISOString(),
          lastSoftBounceAt: at(-10_000).toISOString(),
        },
        at(2),
        '5.2.2 mailbox full',
      ),
    );
    expect(wasConfirmed.suppression?.reason).toBe('soft-bounce');
    const back = must(liftSuppression(wasConfirmed, at(3)));
    expect(back).toMatchObject({
      status: 'confirmed',
      digests: ['weekly', 'monthly'],
      softBounces: 0,
      welcomeDue: false,
      updatedAt: at(3).toISOString(),
    });
    expect(back.consent).toEqual(wasConfirmed.consent);
    expect(back.suppression).toBeUndefined();
    expect(back.firstSoftBounceAt).toBeUndefined();
    expect(activeDigests(back)).toEqual(['weekly', 'monthly']);

    const neverConfirmed = must(
      liftSuppression(must(suppress(pending(), { reason: 'operator', at: at(1).toISOString() })), at(4)),
    );
    expect(neverConfirmed).toMatchObject({ status: 'unsubscribed', unsubscribedAt: at(4).toISOString() });
    expect(neverConfirmed.expiresAt).toBeUndefined();
    expect(activeDigests(neverConfirmed)).toEqual([]);

    const left = must(unsubscribe(confirmed(), at(2)));
    const leftBack = must(
      liftSuppression(must(suppress(left, { reason: 'soft-bounce', at: at(3).toISOString() })), at(4)),
    );
    expect(leftBack).toMatchObject({ status: 'unsubscribed', unsubscribedAt: at(2).toISOString() });
    expect(liftSuppression(confirmed(), at(5))).toBeUndefined();
  });

  it('a hard bounce or rejection lifts only with force; a complaint never', () => {
    for (const reason of ['bounce', 'rejected'] as const) {
      const s = must(suppress(confirmed(), { reason, at: at(2).toISOString() }));
      expect(liftable(reason, false)).toBe(false);
      expect(liftSuppression(s, at(3))).toBeUndefined();
      expect(must(liftSuppression(s, at(3), true)).status).toBe('confirmed');
    }
    const complained = must(suppress(confirmed(), { reason: 'complaint', at: at(2).toISOString() }));
    expect(liftable('complaint', true)).toBe(false);
    expect(liftSuppression(complained, at(3), true)).toBeUndefined();
    expect(liftable('soft-bounce', false) && liftable('operator', false)).toBe(true);
  });

  it('suppression is final: no request, confirmation, preference or unsubscribe changes it', () => {
    const s = must(suppress(confirmed(), { reason: 'bounce', at: at(2).toISOString() }));
    expect(activeDigests(s)).toEqual([]);
    expect(suppress(s, { reason: 'complaint', at: at(3).toISOString() })).toBeUndefined();
    expect(requestSubscription(s, REQUEST, at(100), POLICY)).toBeUndefined();
    expect(confirm(s, at(100))).toBeUndefined();
    expect(chooseDigests(s, ['weekly'], 'form', at(100))).toBeUndefined();
    expect(unsubscribe(s, at(100))).toBeUndefined();
  });

  it('choosing digests replaces them; none unsubscribes; some re-subscribes an unsubscribed owner', () => {
    const s = must(chooseDigests(confirmed(), ['monthly'], 'form', at(5)));
    expect(s.digests).toEqual(['monthly']);
    expect(chooseDigests(s, ['monthly'], 'form', at(6))).toBeUndefined();
    const none = must(chooseDigests(s, [], 'form', at(7)));
    expect(none.status).toBe('unsubscribed');
    const back = must(chooseDigests(none, ['weekly'], 'api', at(8)));
    expect(back).toMatchObject({
      status: 'confirmed',
      digests: ['weekly'],
      consent: { method: 'api', source: 'preferences-page' },
    });
  });

  it('a released confirmation claim restores the previous time only if it is still ours', () => {
    const s = pending();
    const later = must(requestSubscription(s, REQUEST, at(20), POLICY));
    const released = must(releaseConfirmation(later.confirmationSentAt ?? '', s.confirmationSentAt)(later));
    expect(released.confirmationSentAt).toBe(s.confirmationSentAt);
    expect(releaseConfirmation('2020-01-01T00:00:00.000Z', undefined)(later)).toBeUndefined();
  });

  it('operators and imports create confirmed subscribers with their consent', () => {
    const s = newConfirmedSubscriber(
      ID,
      {
        email: 'ann@example.com',
        digests: ['weekly'],
        consent: { method: 'import', requestedAt: '2025-01-01T00:00:00.000Z', source: 'list.csv' },
      },
      T0,
    );
    expect(subscriberSchema.parse(s)).toMatchObject({
      status: 'confirmed',
      consent: { confirmedAt: T0.toISOString() },
    });
  });

  it('leaving one digest keeps the others; leaving the last unsubscribes; leaving one not held changes nothing', () => {
    const s = confirmed();
    expect(s.digests).toEqual(['weekly', 'monthly']);
    const left = must(leaveDigest(s, 'weekly', at(5)));
    expect(left).toMatchObject({ status: 'confirmed', digests: ['monthly'], updatedAt: at(5).toISOString() });
    expect(leaveDigest(left, 'weekly', at(6))).toBeUndefined();
    expect(must(leaveDigest(left, 'monthly', at(7)))).toMatchObject({
      status: 'unsubscribed',
      unsubscribedAt: at(7).toISOString(),
    });
    const suppressed = must(suppress(s, { reason: 'complaint', at: at(8).toISOString() }));
    expect(leaveDigest(suppressed, 'weekly', at(9))).toBeUndefined();
  });

  it('soft bounces are counted from the first of a run', () => {
    const s = must(countSoftBounce(must(countSoftBounce(confirmed(), at(1))), at(2)));
    expect(s).toMatchObject({
      softBounces: 2,
      firstSoftBounceAt: at(1).toISOString(),
      lastSoftBounceAt: at(2).toISOString(),
      status: 'confirmed',
    });
  });

  const DAY = 24 * 60;
  const bounced = (days: readonly number[], start = confirmed()) =>
    days.reduce((s, day) => must(countSoftBounce(s, at(day * DAY), 'MailboxFull: 452 mailbox full')), start);

  it(`${SOFT_BOUNCE_LIMIT} soft bounces in a row over ${SOFT_BOUNCE_SPAN_DAYS} days suppress the address, with why`, () => {
    const s = bounced([1, 4, 1 + SOFT_BOUNCE_SPAN_DAYS]);
    expect(s.status).toBe('suppressed');
    expect(s.suppression).toEqual({
      reason: 'soft-bounce',
      at: at((1 + SOFT_BOUNCE_SPAN_DAYS) * DAY).toISOString(),
      detail: `3 soft bounces since ${at(DAY).toISOString()}, none delivered between; last: MailboxFull: 452 mailbox full`,
    });
    expect(activeDigests(s)).toEqual([]);
    expect(countSoftBounce(s, at(30 * DAY))).toBeUndefined();
  });

  it('many soft bounces within days do not suppress: a full mailbox is not a dead one', () => {
    const s = bounced([1, 1.5, 2, 3, 4, 5, SOFT_BOUNCE_SPAN_DAYS + 0.9]);
    expect(s).toMatchObject({ status: 'confirmed', softBounces: 7 });
  });

  it('a delivery after the latest soft bounce ends the run; an older one does not', () => {
    const s = bounced([1, 4]);
    expect(recordDelivery(s, at(3 * DAY))).toBeUndefined();
    const delivered = must(recordDelivery(s, at(5 * DAY)));
    expect(delivered).toMatchObject({ softBounces: 0, status: 'confirmed' });
    expect(delivered.firstSoftBounceAt).toBeUndefined();
    expect(recordDelivery(delivered, at(6 * DAY))).toBeUndefined();
    // The next run starts afresh: two more bounces, over the span, are not three in a row.
    expect(bounced([9, 20], delivered)).toMatchObject({ status: 'confirmed', softBounces: 2 });
    expect(bounced([9, 12, 20], delivered).status).toBe('suppressed');
  });

  it('bounces reported out of order keep the run from its earliest to its latest', () => {
    const s = bounced([5, 1, 3]);
    expect(s).toMatchObject({
      firstSoftBounceAt: at(DAY).toISOString(),
      lastSoftBounceAt: at(5 * DAY).toISOString(),
      status: 'confirmed',
    });
  });
});
