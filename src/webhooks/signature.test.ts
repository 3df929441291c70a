import { describe, expect, it } from 'vitest';
import twilio from 'twilio';
import { computeTwilioSignature } from './signature.js';

// Twilio's published worked example (webhook-security docs; spec twilio-messages-api.md §8).
const example = {
  authToken: '12345',
  url: 'https://mycompany.com/myapp.php?foo=1&bar=2',
  params: {
    CallSid: 'CA1234567890ABCDE',
    Caller: '+12349013030',
    Digits: '1234',
    From: '+12349013030',
    To: '+18005551212',
  },
};

describe('computeTwilioSignature', () => {
  it('reproduces the published worked example', () => {
    expect(computeTwilioSignature(example)).toBe('0/KCTR6DLpKmkAf8muzZqo1nDgQ=');
  });

  it('does not depend on the insertion order of the parameters', () => {
    const reversed = Object.fromEntries(Object.entries(example.params).reverse());
    expect(computeTwilioSignature({ ...example, params: reversed })).toBe('0/KCTR6DLpKmkAf8muzZqo1nDgQ=');
  });

  it('changes when a parameter is tampered with', () => {
    const tampered = { ...example, params: { ...example.params, Digits: '1235' } };
    expect(computeTwilioSignature(tampered)).not.toBe('0/KCTR6DLpKmkAf8muzZqo1nDgQ=');
  });

  it('signs repeated keys as each distinct value, sorted, and agrees with twilio.validateRequest', () => {
    const params = { MediaUrl: ['https://b.example/2', 'https://a.example/1', 'https://b.example/2'], Body: 'x' };
    const url = 'https://example.com/hook';
    const signature = computeTwilioSignature({ authToken: 'tok', url, params });
    const flat = { ...params, MediaUrl: ['https://a.example/1', 'https://b.example/2'] };
    expect(signature).toBe(computeTwilioSignature({ authToken: 'tok', url, params: flat }));
    expect(twilio.validateRequest('tok', signature, url, params)).toBe(true);
  });

  it('signs the URL alone for GET (no params) and matches the SDK', () => {
    const url = 'https://example.com/hook?Body=hi+there&From=%2B15551234567';
    const signature = computeTwilioSignature({ authToken: 'tok', url, params: {} });
    expect(twilio.getExpectedTwilioSignature('tok', url, {})).toBe(signature);
  });

  it('hashes UTF-8 text (emoji, accents) as the SDK does', () => {
    const params = { Body: 'Héllo 👋 & + =', From: '+4915112345678', FromZip: '' };
    const url = 'https://example.com/sms?x=ä';
    const signature = computeTwilioSignature({ authToken: 'secret', url, params });
    expect(twilio.getExpectedTwilioSignature('secret', url, params)).toBe(signature);
    expect(twilio.validateRequest('secret', signature, url, params)).toBe(true);
  });
});
