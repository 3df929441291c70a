import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import vectors from './fixtures/vectors.json' with { type: 'json' };
import {
  buildDeliveryReceipt,
  formatReceiptDate,
  isDeliveryReceipt,
  parseDeliveryReceipt,
  parseReceiptDate,
  receiptIdsMatch,
  receiptTextExcerpt,
} from './delivery-receipt.js';

const pad3 = (value: number | null | undefined): string | undefined =>
  value === null || value === undefined ? undefined : String(value).padStart(3, '0');

describe('parseDeliveryReceipt on every receipt vector', () => {
  it.each(vectors.dlr_text_vectors)('$text', (vector) => {
    const receipt = parseDeliveryReceipt(vector.text);
    expect(receipt).not.toBeNull();
    const parsed = vector.parsed as Record<string, string | number | null | undefined>;
    expect(receipt?.id).toBe(parsed.id);
    expect(receipt?.stat).toBe(parsed.stat);
    if ('err' in parsed) expect(receipt?.err).toBe(parsed.err);
    if ('sub' in parsed) expect(receipt?.sub).toBe(pad3(parsed.sub as number | null) ?? '');
    if ('dlvrd' in parsed) expect(receipt?.dlvrd).toBe(pad3(parsed.dlvrd as number | null) ?? '');
    if ('text' in parsed) expect(receipt?.text).toBe(parsed.text ?? '');
    if ('submit_date' in parsed) {
      expect(parseReceiptDate(receipt?.submitDate ?? '')?.toISOString()).toBe(
        new Date(parsed.submit_date as string).toISOString(),
      );
      expect(parseReceiptDate(receipt?.doneDate ?? '')?.toISOString()).toBe(
        new Date(parsed.done_date as string).toISOString(),
      );
    }
    expect(isDeliveryReceipt(vector.text)).toBe(true);
  });

  it('reads the deliver_sm vector text, @$ included (Latin-1, not GSM)', () => {
    const text = vectors.dlr_pdu_vector.decoded.short_message_bytes_as_latin1;
    expect(parseDeliveryReceipt(text)).toEqual({
      id: '0059113978',
      sub: '001',
      dlvrd: '001',
      submitDate: '1002101730',
      doneDate: '1002101731',
      stat: 'DELIVRD',
      err: '000',
      text: '@$#!%&/:',
    });
  });
});

describe('receiptIdsMatch', () => {
  it('matches the decimal text id against the hex receipted_message_id TLV', () => {
    const { decoded } = vectors.dlr_pdu_vector;
    const textId = parseDeliveryReceipt(decoded.short_message_bytes_as_latin1)?.id ?? '';
    expect(receiptIdsMatch(textId, decoded.tlvs.receipted_message_id_0x001E)).toBe(true);
    const vector = vectors.dlr_text_vectors.find((each) => 'id_as_hex' in each.parsed);
    expect(receiptIdsMatch(vector?.parsed.id ?? '', (vector?.parsed as { id_as_hex: string }).id_as_hex)).toBe(true);
  });

  it('matches exactly first and refuses different numbers', () => {
    expect(receiptIdsMatch('0000012345', '0000012345')).toBe(true);
    expect(receiptIdsMatch('ABC', 'abc')).toBe(true);
    expect(receiptIdsMatch('0059113978', '38601fb')).toBe(false);
    expect(receiptIdsMatch('12', '13')).toBe(false);
    expect(receiptIdsMatch('', '')).toBe(false);
  });
});

describe('the Restcomm SMSC variant', () => {
  const restcomm = {
    id: '0000012345',
    sub: '001',
    dlvrd: '001',
    submitDate: '2406151437',
    doneDate: '2406151438',
    stat: 'DELIVRD',
    err: '000',
    text: 'Hello world',
  };
  const wire =
    'id:0000012345 sub:001 dlvrd:001 submit date:2406151437 done date:2406151438 stat:DELIVRD err:000 text:Hello world';

  it('builds the exact text of smsc-sip-interface.md §6.4 and parses it back', () => {
    expect(buildDeliveryReceipt(restcomm)).toBe(wire);
    expect(parseDeliveryReceipt(wire)).toEqual(restcomm);
  });

  it('keeps text with spaces, field names inside it, and empty text', () => {
    const tricky = { ...restcomm, stat: 'UNDELIV', err: '228', text: ' stat:x err:1 id:2 ' };
    expect(parseDeliveryReceipt(buildDeliveryReceipt(tricky))).toEqual(tricky);
    const empty = { ...restcomm, text: '' };
    expect(parseDeliveryReceipt(buildDeliveryReceipt(empty))).toEqual(empty);
  });

  it('cuts the excerpt at 20 characters without breaking a surrogate pair', () => {
    expect(receiptTextExcerpt('Hello world, this is a long message')).toBe('Hello world, this is');
    expect(receiptTextExcerpt(`${'a'.repeat(19)}😀b`)).toBe('a'.repeat(19));
    expect(receiptTextExcerpt('short')).toBe('short');
  });

  it('round-trips any printable text excerpt (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), fc.integer({ min: 0, max: 9_999_999_999 }), (text, id) => {
        const receipt = { ...restcomm, id: String(id).padStart(10, '0'), text };
        expect(parseDeliveryReceipt(buildDeliveryReceipt(receipt))).toEqual(receipt);
      }),
    );
  });
});

describe('what is not a receipt', () => {
  it.each([
    'Hello there',
    'id:5 is my favourite number',
    'id:0000000001 sub:001 dlvrd:001 submit date:2401011200 done date:2401011200 stat: err:000 text:',
    'id:0000000001 sub:001 dlvrd:001 submit date:2413011200 done date:2401011200 stat:DELIVRD err:000 text:',
    'id:0000000001 stat:DELIVRD',
    'id:0000000001 sub:001 dlvrd:001 submit date:2401011200 done date:2401011200 stat:WHATEVER err:000 text:',
  ])('%j', (text) => {
    expect(isDeliveryReceipt(text)).toBe(false);
  });

  it('parse returns null without id or stat', () => {
    expect(parseDeliveryReceipt('sub:001 dlvrd:001 stat:DELIVRD')).toBeNull();
    expect(parseDeliveryReceipt('id:1 sub:001 dlvrd:001')).toBeNull();
  });
});

describe('receipt dates', () => {
  it('reads 10-, 12- and 14-digit dates as UTC', () => {
    expect(parseReceiptDate('2406151437')?.toISOString()).toBe('2024-06-15T14:37:00.000Z');
    expect(parseReceiptDate('240615143759', { timeZone: 'UTC' })?.toISOString()).toBe('2024-06-15T14:37:59.000Z');
    expect(parseReceiptDate('20240615143759')?.toISOString()).toBe('2024-06-15T14:37:59.000Z');
  });

  it.each(['', '24061514', '2413011200', '2402301200', '2406152400', '2406151460', 'abcdefghij', '24061514370'])(
    'rejects %j',
    (value) => {
      expect(parseReceiptDate(value)).toBeNull();
    },
  );

  it('formats yyMMddHHmm in UTC and round-trips to the minute (property)', () => {
    expect(formatReceiptDate(new Date('2024-06-15T14:37:59.999Z'))).toBe('2406151437');
    const dates = fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T23:59:59Z') });
    fc.assert(
      fc.property(dates.filter((date) => !Number.isNaN(date.getTime())), (date) => {
        const minute = new Date(Math.floor(date.getTime() / 60_000) * 60_000);
        expect(parseReceiptDate(formatReceiptDate(date))).toEqual(minute);
      }),
    );
  });
});
