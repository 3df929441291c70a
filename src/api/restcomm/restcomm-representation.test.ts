import { describe, expect, it } from 'vitest';
import { storedStatusesFor, toRestcommDate, toRestcommSentDate, toRestcommStatus } from './restcomm-representation.js';
import { restcommXml } from './restcomm-response.js';

describe('RestComm dates', () => {
  it('writes EEE, d MMM yyyy HH:mm:ss Z with an unpadded day', () => {
    expect(toRestcommDate(new Date('2019-01-07T10:15:02.120Z'))).toBe('Mon, 7 Jan 2019 10:15:02 +0000');
    expect(toRestcommDate(new Date('2026-12-13T03:04:05Z'))).toBe('Sun, 13 Dec 2026 03:04:05 +0000');
  });
  it('writes date_sent as ISO 8601 with milliseconds', () => {
    expect(toRestcommSentDate(new Date('2019-01-07T10:15:03.120Z'))).toBe('2019-01-07T10:15:03.120Z');
  });
});

describe('RestComm statuses', () => {
  it('shows a queued message as sending and keeps RestComm\'s own statuses', () => {
    expect(toRestcommStatus('queued')).toBe('sending');
    expect(toRestcommStatus('canceled')).toBe('failed');
    for (const status of ['sending', 'sent', 'failed', 'received', 'delivered', 'undelivered']) expect(toRestcommStatus(status)).toBe(status);
  });
  it('maps a Status filter back to every stored status it covers', () => {
    expect(storedStatusesFor('sending').sort()).toEqual(['accepted', 'queued', 'scheduled', 'sending']);
    expect(storedStatusesFor('bogus')).toEqual([]);
  });
});

describe('RestComm XML', () => {
  it('has no prologue, writes empty elements for empty values and escapes text', () => {
    expect(restcommXml({ SMSMessage: { Body: 'a < b & c', DateSent: '' } }))
      .toBe('<RestcommResponse><SMSMessage><Body>a &lt; b &amp; c</Body><DateSent/></SMSMessage></RestcommResponse>');
  });
});
