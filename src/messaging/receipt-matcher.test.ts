import { describe, expect, it } from 'vitest';
import {
  addressForms, chooseCandidate, compareReceiptText, smscIdForms, submitWindow, type ReceiptCandidate,
} from './receipt-matcher.js';

const at = (iso: string): Date => new Date(iso);
const candidate = (sid: string, status: string, body: string, sentAt: string): ReceiptCandidate => ({ sid, status, body, sentAt: at(sentAt) });

describe('addressForms', () => {
  it('gives both stored forms of a number and passes an alphanumeric sender through (percent-decoded)', () => {
    expect(addressForms('447700900123')).toEqual(['+447700900123', '447700900123']);
    expect(addressForms('+447700900123')).toEqual(['+447700900123', '447700900123']);
    expect(addressForms('My%20Shop')).toEqual(['My Shop']);
    expect(addressForms('ACME')).toEqual(['ACME']);
  });
});

describe('submitWindow', () => {
  it('spans the submit minute plus the tolerance on both sides, shifted by the SMSC offset', () => {
    expect(submitWindow('2406151437', { smscUtcOffsetMinutes: 0, toleranceMinutes: 2 })).toEqual({
      from: at('2024-06-15T14:35:00Z'),
      to: at('2024-06-15T14:40:00Z'),
    });
    // SMSC at UTC+2 writes 16:37 for 14:37 UTC.
    expect(submitWindow('2406151637', { smscUtcOffsetMinutes: 120, toleranceMinutes: 0 })).toEqual({
      from: at('2024-06-15T14:37:00Z'),
      to: at('2024-06-15T14:38:00Z'),
    });
  });

  it('is null for an unreadable date', () => {
    expect(submitWindow('24061514', { smscUtcOffsetMinutes: 0, toleranceMinutes: 5 })).toBeNull();
    expect(submitWindow('', { smscUtcOffsetMinutes: 0, toleranceMinutes: 5 })).toBeNull();
  });
});

describe('compareReceiptText', () => {
  it('is exact for the first 20 characters of the body', () => {
    expect(compareReceiptText('Your code is 123456.', 'Your code is 123456. It expires soon')).toBe('exact');
    expect(compareReceiptText('Hello world', 'Hello world')).toBe('exact');
  });

  it('is lenient for transcoding losses: accents, case, replaced characters, a shorter cut', () => {
    expect(compareReceiptText('Cafe creme', 'Café crème')).toBe('lenient');
    expect(compareReceiptText('Price: ? 5', 'Price: € 5')).toBe('lenient');
    expect(compareReceiptText('Hello w', 'Hello world, how are you')).toBe('lenient');
    expect(compareReceiptText('', 'anything at all')).toBe('lenient');
  });

  it('is none for a different text', () => {
    expect(compareReceiptText('Goodbye', 'Hello world')).toBe('none');
    expect(compareReceiptText('Your code is 654321.', 'Your code is 123456. It expires')).toBe('none');
  });
});

describe('chooseCandidate', () => {
  const older = candidate('SM1', 'sent', 'Hello world', '2024-06-15T14:37:10Z');
  const newer = candidate('SM2', 'sent', 'Hello world', '2024-06-15T14:37:40Z');

  it('takes the oldest open match when texts are identical (the documented ambiguity)', () => {
    expect(chooseCandidate('Hello world', [newer, older], { acceptSending: false })).toEqual({ kind: 'matched', candidate: older, text: 'exact' });
  });

  it('prefers an exact text over an older lenient one', () => {
    const lenient = candidate('SM0', 'sent', 'Héllo world', '2024-06-15T14:36:00Z');
    expect(chooseCandidate('Hello world', [lenient, newer], { acceptSending: false })).toMatchObject({ kind: 'matched', candidate: newer });
  });

  it('waits when the oldest match is still sending, unless this is the last attempt', () => {
    const sending = candidate('SM0', 'sending', 'Hello world', '2024-06-15T14:37:00Z');
    expect(chooseCandidate('Hello world', [sending, newer], { acceptSending: false })).toEqual({ kind: 'wait', candidate: sending });
    expect(chooseCandidate('Hello world', [sending, newer], { acceptSending: true })).toMatchObject({ kind: 'matched', candidate: sending });
  });

  it('finds nothing when no text matches', () => {
    expect(chooseCandidate('Other text', [older, newer], { acceptSending: true })).toEqual({ kind: 'none' });
    expect(chooseCandidate('Hello world', [], { acceptSending: true })).toEqual({ kind: 'none' });
  });
});

describe('smscIdForms', () => {
  it('covers padding and decimal/hex spellings of the same id, but not the id as written', () => {
    expect(smscIdForms('0059113978')).toEqual(expect.arrayContaining(['59113978', '38601fa', '38601FA']));
    expect(smscIdForms('38601fa')).toEqual(expect.arrayContaining(['38601FA', '59113978', '0059113978']));
    expect(smscIdForms('msg-1')).toEqual(['MSG-1']);
    expect(smscIdForms('30')).toEqual(expect.arrayContaining(['0000000030', '1e', '1E', '48', '0000000048']));
    for (const id of ['0059113978', '38601fa', 'msg-1', '30']) expect(smscIdForms(id)).not.toContain(id);
  });
});
