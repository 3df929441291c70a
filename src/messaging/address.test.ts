import { describe, expect, it } from 'vitest';
import { isAlphanumericSenderId, isE164 } from './address.js';

describe('addresses', () => {
  it('knows E.164', () => {
    expect(['+15551234567', '+447700900123', '+12'].map(isE164)).toEqual([true, true, true]);
    expect(['15551234567', '+0123', '+1234567890123456', '+1 555', 'whatsapp:+1555'].map(isE164)).toEqual([false, false, false, false, false]);
  });
  it('knows alphanumeric sender IDs', () => {
    expect(['Acme', 'Acme Shop', 'A1', 'ABCDEFGHIJK'].map(isAlphanumericSenderId)).toEqual([true, true, true, true]);
    expect(['12345', 'ABCDEFGHIJKL', 'bad_id', ' Acme', ''].map(isAlphanumericSenderId)).toEqual([false, false, false, false, false]);
  });
});
