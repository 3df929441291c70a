import { describe, expect, it } from 'vitest';
import { parseRewriteRules, rewriteInbound, rewriteOutbound } from './number-rewrite.js';

describe('number rewriting', () => {
  const rules = parseRewriteRules('sip:+44=0, sip:+=99, smpp:+1=1');
  it('writes E.164 with the longest matching rule of the road, and reads it back', () => {
    expect(rewriteOutbound(rules, 'sip', '+447700900123')).toBe('07700900123');
    expect(rewriteOutbound(rules, 'sip', '+15005550006')).toBe('9915005550006');
    expect(rewriteInbound(rules, 'sip', '07700900123')).toBe('+447700900123');
    expect(rewriteInbound(rules, 'sip', '9915005550006')).toBe('+15005550006');
    expect(rewriteOutbound(rules, 'smpp', '+447700900123')).toBe('+447700900123');
  });
  it('leaves alphanumeric senders and unmatched numbers alone', () => {
    expect(rewriteOutbound(rules, 'sip', 'MyShop')).toBe('MyShop');
    expect(rewriteInbound(rules, 'smpp', '447700900123')).toBe('447700900123');
  });
  it('refuses a malformed rule', () => {
    expect(() => parseRewriteRules('sip:44=0')).toThrow(/not <sip\|smpp>/);
    expect(parseRewriteRules('')).toEqual([]);
  });
});
