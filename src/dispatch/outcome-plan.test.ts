import { describe, expect, it } from 'vitest';
import type { ClaimedMessage } from './claim.js';
import { planOutcomes } from './outcome-plan.js';

const now = new Date('2026-01-01T12:00:00.000Z');
const context = { now, retry: { baseMs: 1000, maxMs: 60_000 }, random: () => 0.5 };

function message(overrides: Partial<ClaimedMessage> = {}): ClaimedMessage {
  return {
    sid: 'SM1', accountSid: 'AC1', to: '+447700900123', from: '+15005550006', body: 'hi', coding: 0, udh: null,
    messageClass: null, validUntil: null, receiptRequested: false, route: 'smpp', attempts: 3, expired: false, takenOverFrom: null,
    sendStartedAt: new Date('2026-01-01T11:59:59.000Z'), claimedBy: 'i1',
    ...overrides,
  };
}

describe('planOutcomes', () => {
  it('marks accepted messages sent, keeps the SMSC answer on the row and records one submission per part', () => {
    const plan = planOutcomes(
      [{ kind: 'submitted', message: message(), result: { kind: 'accepted', smscMessageIds: ['a1', 'a2'], detail: { x: 1 } }, at: now }],
      context,
    );
    const detail = { x: 1, route: 'smpp', attempt: 3, outcome: 'accepted' };
    expect(plan.changes).toEqual([{
      sid: 'SM1', status: 'sent', dateSent: now, event: { type: 'send_attempt', detail },
      smscResult: { ...detail, at: now.toISOString(), claimedBy: 'i1' }, smscMessageId: null,
    }]);
    expect(plan.submissions).toEqual([
      { sid: 'SM1', route: 'smpp', partNumber: 1, totalParts: 2, smscMessageId: 'a1' },
      { sid: 'SM1', route: 'smpp', partNumber: 2, totalParts: 2, smscMessageId: 'a2' },
    ]);
    expect(plan.events).toEqual([]);
  });

  it('keeps a single-part SMPP id on the message and writes no submission row for it, nor for SIP', () => {
    const plan = planOutcomes([
      { kind: 'submitted', message: message(), result: { kind: 'accepted', smscMessageIds: ['only'], detail: {} }, at: now },
      { kind: 'submitted', message: message({ sid: 'SM2', route: 'sip' }), result: { kind: 'accepted', smscMessageIds: [], detail: { sipStatus: 202 } }, at: now },
    ], context);
    expect(plan.changes.map((c) => [c.sid, c.smscMessageId])).toEqual([['SM1', 'only'], ['SM2', null]]);
    expect(plan.changes[1]?.smscResult).toMatchObject({ sipStatus: 202, outcome: 'accepted', route: 'sip' });
    expect(plan.submissions).toEqual([]);
  });

  it('fails permanent rejections with their code', () => {
    const plan = planOutcomes(
      [{ kind: 'submitted', message: message(), result: { kind: 'permanent-failure', errorCode: 30005, errorMessage: 'Unknown', detail: {} }, at: now }],
      context,
    );
    expect(plan.changes[0]).toMatchObject({ status: 'failed', errorCode: 30005, errorMessage: 'Unknown' });
    expect(plan.requeues).toEqual([]);
  });

  it('requeues temporary failures with a jittered backoff for the attempt number', () => {
    const plan = planOutcomes([{ kind: 'submitted', message: message(), result: { kind: 'temporary-failure', reason: 'timeout', detail: {} }, at: now }], context);
    // attempt 3: ceiling 4000 ms, random 0.5 → 2000 ms
    expect(plan.requeues).toEqual([{ sid: 'SM1', delayMs: 2000, countAttempt: true }]);
    expect(plan.events).toEqual([
      { sid: 'SM1', type: 'send_attempt', status: null, detail: {
        route: 'smpp', attempt: 3, outcome: 'temporary-failure', reason: 'timeout', retryInMs: 2000,
        claimedBy: 'i1', sendStartedAt: '2026-01-01T11:59:59.000Z',
      } },
    ]);
    expect(plan.changes).toEqual([]);
  });

  it('fails with 30001 a temporary failure past the validity deadline, and an expired claim', () => {
    const expiredAt = new Date(now.getTime() - 1);
    const plan = planOutcomes(
      [
        { kind: 'submitted', message: message({ validUntil: expiredAt }), result: { kind: 'temporary-failure', reason: 'timeout', detail: {} }, at: now },
        { kind: 'expired', message: message({ sid: 'SM2', validUntil: expiredAt }) },
      ],
      context,
    );
    expect(plan.changes.map((c) => [c.sid, c.status, c.errorCode, c.event.type])).toEqual([
      ['SM1', 'failed', 30001, 'send_attempt'],
      ['SM2', 'failed', 30001, 'validity'],
    ]);
    // Expiry is an exceptional step: an event row, not the row's smsc_result.
    expect(plan.changes.map((c) => c.smscResult)).toEqual([undefined, undefined]);
    expect(plan.requeues).toEqual([]);
  });

  it('hands deferred messages back without counting an attempt', () => {
    const plan = planOutcomes([{ kind: 'deferred', message: message(), delayMs: 700, reason: 'sender rate' }], context);
    expect(plan.requeues).toEqual([{ sid: 'SM1', delayMs: 700, countAttempt: false }]);
    expect(plan.events).toEqual([{
      sid: 'SM1', type: 'deferred', status: 'queued',
      detail: { reason: 'sender rate', retryInMs: 700, claimedBy: 'i1', sendStartedAt: '2026-01-01T11:59:59.000Z' },
    }]);
  });
});
