import { describe, expect, it } from 'vitest';
import { buildReceiptSip, buildReceiptText, formatMessageId, formatSmppMessageId, smppReceiptTextId } from './receipt-message.js';

const submit = {
  messageId: '0000012345', sourceAddress: '447700900456', destinationAddress: '447700900123',
  text: 'Hello world, this is longer than twenty', submitDate: new Date('2024-06-15T14:37:05Z'),
};

describe('receipt message', () => {
  it('writes the Appendix B text exactly as the Restcomm SMSC does', () => {
    expect(buildReceiptText(submit, { delivered: true, err: 0, doneDate: new Date('2024-06-15T14:38:59Z') })).toBe(
      'id:0000012345 sub:001 dlvrd:001 submit date:2406151437 done date:2406151438 stat:DELIVRD err:000 text:Hello world, this is',
    );
    expect(buildReceiptText({ ...submit, text: '' }, { delivered: false, err: 194, doneDate: new Date('2024-06-15T14:38:00Z') })).toBe(
      'id:0000012345 sub:001 dlvrd:000 submit date:2406151437 done date:2406151438 stat:UNDELIV err:194 text:',
    );
  });

  it('swaps the addresses and stamps coding 0, the submit time and now + 24 h', () => {
    const sip = buildReceiptSip(submit, { delivered: true, err: 0, doneDate: new Date('2024-06-15T23:05:00Z') });
    expect(sip.sourceUser).toBe('447700900123');
    expect(sip.destinationUser).toBe('447700900456');
    expect(sip.xHeaders).toEqual([['X-SMS-CODING', '0'], ['X-DELIVERY_TIME', '02024-37-15 02:37:05'], ['X-SMS-VALIDITY', '02024-05-16 11:05:00']]);
  });

  it('formats the dates of receipts built one after another afresh whenever the second changes', () => {
    const done = (iso: string): ReturnType<typeof buildReceiptSip> => buildReceiptSip(submit, { delivered: true, err: 0, doneDate: new Date(iso) });
    const validity = (sip: ReturnType<typeof buildReceiptSip>): string | undefined => sip.xHeaders.find(([name]) => name === 'X-SMS-VALIDITY')?.[1];
    expect(validity(done('2024-06-15T14:38:59.100Z'))).toBe('02024-38-16 02:38:59');
    expect(validity(done('2024-06-15T14:38:59.900Z'))).toBe('02024-38-16 02:38:59');
    expect(validity(done('2024-06-15T14:39:00.000Z'))).toBe('02024-39-16 02:39:00');
    const later = { ...submit, submitDate: new Date('2024-06-15T14:40:01Z') };
    expect(buildReceiptText(later, { delivered: true, err: 0, doneDate: new Date('2024-06-15T14:41:00Z') })).toContain('submit date:2406151440 done date:2406151441');
    expect(buildReceiptSip(later, { delivered: true, err: 0, doneDate: new Date('2024-06-15T14:41:00Z') }).xHeaders[1]).toEqual(['X-DELIVERY_TIME', '02024-40-15 02:40:01']);
  });

  it('formats ids as 10 digits, wrapping below 10^10', () => {
    expect([1, 12345, 9_999_999_999, 10_000_000_001].map(formatMessageId)).toEqual(['0000000001', '0000012345', '9999999999', '0000000001']);
  });
});

describe('SMPP message id styles', () => {
  it('spells sequence numbers padded, bare decimal or hex, the hex receipt text quoting padded decimal', () => {
    expect(['padded', 'decimal', 'hex'].map((style) => formatSmppMessageId(48, style as 'padded'))).toEqual(['0000000048', '48', '30']);
    expect(smppReceiptTextId('38601fa', 'hex')).toBe('0059113978');
    expect(smppReceiptTextId('48', 'decimal')).toBe('48');
  });
});
