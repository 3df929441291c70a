import { describe, expect, it } from 'vitest';
import type { ReceiptToMatch } from './receipt-record.js';
import { prefixPattern } from './sip-receipt-batch.js';
import { chooseSmppSingles } from './smpp-receipt-batch.js';

describe('prefixPattern', () => {
  it('matches bodies that start with the receipt text, trailing spaces aside', () => {
    expect(prefixPattern('Your code is 1234  ')).toBe('Your code is 1234%');
  });

  it('escapes LIKE wildcards and the escape character itself', () => {
    expect(prefixPattern('50% off_now \\o/')).toBe('50\\% off\\_now \\\\o/%');
  });

  it('turns the separator character into a one-character wildcard, and has no pattern for an empty text', () => {
    expect(prefixPattern('a\u001fb')).toBe('a_b%');
    expect(prefixPattern('   ')).toBeNull();
  });
});

describe('chooseSmppSingles', () => {
  const receipt = (id: string, smscMessageId: string, stat = 'DELIVRD', source: 'sip' | 'smpp' = 'smpp'): ReceiptToMatch => ({
    id, source, rawText: `id:${smscMessageId} stat:${stat}`, fromAddress: '+447700900123', toAddress: '+15005550006', smscMessageId,
    stat, err: '000', submitDate: '', doneDate: '', text: '', matchAttempts: 0, dateReceived: new Date(0),
  });

  it('settles final receipts of single-part messages together, one per message, and leaves the rest one at a time', () => {
    const receipts = [
      receipt('1', 'a'), // single part, id on the message
      receipt('2', 'b'), // single part, a one-part submission row
      receipt('3', 'c'), // a part of a multipart message
      receipt('4', 'a', 'UNDELIV'), // a second receipt for the message of '1' (a correction?)
      receipt('5', 'd', 'ENROUTE'), // intermediate
      receipt('6', 'e'), // nothing found as stored
      receipt('7', 'f', 'DELIVRD', 'sip'),
    ];
    const hits = [
      { index: 0, messageSid: 'SMa', submissionId: null, totalParts: 1 },
      { index: 1, messageSid: 'SMb', submissionId: '11', totalParts: 1 },
      { index: 2, messageSid: 'SMc', submissionId: '12', totalParts: 2 },
      { index: 3, messageSid: 'SMa', submissionId: null, totalParts: 1 },
      { index: 4, messageSid: 'SMd', submissionId: null, totalParts: 1 },
    ];
    expect(chooseSmppSingles(receipts, hits).map((c) => [c.index, c.messageSid, c.submissionId, c.mapped.status])).toEqual([
      [0, 'SMa', null, 'delivered'],
      [1, 'SMb', '11', 'delivered'],
    ]);
  });
});
