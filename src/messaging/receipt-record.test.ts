import { describe, expect, it } from 'vitest';
import { freshReceipt, receiptEventDetail, repeatProbe, retryDelayMs, settlingReceipt } from './receipt-record.js';
import { DEFAULT_RECEIPT_MATCH_RULES } from './receipt-matcher.js';

const fields = {
  source: 'sip' as const, rawText: 'id:7 sub:001 dlvrd:001 submit date:2601011200 done date:2601011201 stat:DELIVRD err:000 text:hi',
  fromAddress: '447700900123', toAddress: '15005550006', smscMessageId: '7', stat: 'DELIVRD', err: '000',
  submitDate: '2601011200', doneDate: '2601011201', text: 'hi',
};

describe('settlingReceipt', () => {
  it('keeps the whole receipt for messages.receipt, and names its row only when it has one (parked before)', () => {
    const at = new Date(Date.UTC(2026, 0, 1, 12, 1, 5));
    const fresh = freshReceipt(fields, at);
    expect(fresh).toMatchObject({ id: null, matchAttempts: 0 });
    expect(settlingReceipt(fresh)).toEqual({ ...fields, dateReceived: '2026-01-01T12:01:05.000Z' });
    expect(settlingReceipt({ ...fresh, id: '42', matchAttempts: 3 })).toEqual({ ...fields, dateReceived: '2026-01-01T12:01:05.000Z', receiptId: '42' });
    expect(receiptEventDetail({ ...fresh, id: '42' })).toEqual({
      receiptId: '42', source: 'sip', smscMessageId: '7', stat: 'DELIVRD', err: '000', submitDate: '2601011200', doneDate: '2601011201',
    });
  });
});

describe('retryDelayMs', () => {
  it('doubles from the base per attempt, up to the maximum', () => {
    const policy = { retryBaseMs: 1_000, retryMaxMs: 60_000 };
    expect([1, 2, 3, 6, 7, 40].map((attempt) => retryDelayMs(policy, attempt))).toEqual([1_000, 2_000, 4_000, 32_000, 60_000, 60_000]);
  });
});

describe('repeatProbe', () => {
  it('looks for the message by the swapped addresses in both number forms, within the submit minute and its tolerance', () => {
    const probe = repeatProbe(fields, DEFAULT_RECEIPT_MATCH_RULES);
    expect(probe.handsetForms).toEqual(['+447700900123', '447700900123']);
    expect(probe.senderForms).toEqual(['+15005550006', '15005550006']);
    expect(probe.window).toEqual({ from: new Date(Date.UTC(2026, 0, 1, 11, 50)), to: new Date(Date.UTC(2026, 0, 1, 12, 11)) });
    expect(repeatProbe({ ...fields, submitDate: '' }, DEFAULT_RECEIPT_MATCH_RULES).window).toBeNull();
  });
});
