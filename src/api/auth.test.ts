import { describe, expect, it } from 'vitest';
import { parseBasicAuthorization, secretsEqual } from './auth.js';

describe('parseBasicAuthorization', () => {
  it('splits at the first colon', () => {
    const header = `Basic ${Buffer.from('AC123:to:ken').toString('base64')}`;
    expect(parseBasicAuthorization(header)).toEqual({ username: 'AC123', password: 'to:ken' });
  });
  it('refuses other schemes and malformed values', () => {
    expect(parseBasicAuthorization(undefined)).toBeNull();
    expect(parseBasicAuthorization('Bearer abc')).toBeNull();
    expect(parseBasicAuthorization(`Basic ${Buffer.from('nocolon').toString('base64')}`)).toBeNull();
    expect(parseBasicAuthorization(`Basic ${Buffer.from(':empty-user').toString('base64')}`)).toBeNull();
  });
  it('compares secrets of any length', () => {
    expect(secretsEqual('abc', 'abc')).toBe(true);
    expect(secretsEqual('abc', 'abcd')).toBe(false);
  });
});
