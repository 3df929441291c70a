import { describe, expect, it } from 'vitest';
import { prefixPattern } from './receipt-batch.js';

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
