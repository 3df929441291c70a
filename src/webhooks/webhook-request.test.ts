import { describe, expect, it } from 'vitest';
import twilio from 'twilio';
import { appendQuery, buildWebhookRequest, splitWebhookUrl } from './webhook-request.js';

const common = { authToken: 'tok', idempotencyToken: 'SM123-1', params: { Body: 'a b+c&d=é 👋', From: '+15551234567', FromZip: '' } };

describe('buildWebhookRequest', () => {
  it('POST: form body, signature over the configured URL + params, all headers', () => {
    const url = 'https://example.com/sms?tenant=1&x=%20y';
    const request = buildWebhookRequest({ ...common, url, method: 'POST' });
    expect(request.url).toBe(url);
    expect(request.body).toBe('Body=a+b%2Bc%26d%3D%C3%A9+%F0%9F%91%8B&From=%2B15551234567&FromZip=');
    expect(request.headers).toEqual({
      accept: '*/*',
      'user-agent': 'TwilioProxy/1.1',
      'i-twilio-idempotency-token': 'SM123-1',
      'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
      'x-twilio-signature': request.signature,
    });
    expect(twilio.validateRequest('tok', request.signature, url, common.params)).toBe(true);
  });

  it('GET: params appended to the existing query, signature over the full URL alone', () => {
    const request = buildWebhookRequest({ ...common, url: 'https://example.com/sms?tenant=1', method: 'GET' });
    expect(request.url).toBe('https://example.com/sms?tenant=1&Body=a+b%2Bc%26d%3D%C3%A9+%F0%9F%91%8B&From=%2B15551234567&FromZip=');
    expect(request.body).toBeUndefined();
    expect(request.headers['content-type']).toBeUndefined();
    expect(twilio.validateRequest('tok', request.signature, request.url, {})).toBe(true);
  });

  it('moves URL credentials to Basic auth and drops the fragment before signing', () => {
    const request = buildWebhookRequest({ ...common, url: 'https://us%40r:p%3Ass@example.com/sms?a=1#rc=2', method: 'POST' });
    expect(request.url).toBe('https://example.com/sms?a=1');
    expect(request.headers.authorization).toBe(`Basic ${Buffer.from('us@r:p:ss').toString('base64')}`);
    expect(twilio.validateRequest('tok', request.signature, 'https://example.com/sms?a=1', common.params)).toBe(true);
  });

  it('honours a custom User-Agent', () => {
    const request = buildWebhookRequest({ ...common, url: 'http://e.example/', method: 'POST', userAgent: 'smsc-connect/0.1' });
    expect(request.headers['user-agent']).toBe('smsc-connect/0.1');
  });
});

describe('URL helpers', () => {
  it.each([
    ['https://e.example/p', 'a=1', 'https://e.example/p?a=1'],
    ['https://e.example/p?', 'a=1', 'https://e.example/p?a=1'],
    ['https://e.example/p?x=1', 'a=1', 'https://e.example/p?x=1&a=1'],
    ['https://e.example/p?x=1&', 'a=1', 'https://e.example/p?x=1&a=1'],
    ['https://e.example/p?x=1', '', 'https://e.example/p?x=1'],
  ])('appendQuery(%s, %s) = %s', (url, query, expected) => {
    expect(appendQuery(url, query)).toBe(expected);
  });

  it('splitWebhookUrl returns the wire URL: normalised, without fragment and credentials', () => {
    expect(splitWebhookUrl("http://a:b%40c@[::1]:8080/p'q?x='y'#ct=1")).toEqual({
      url: "http://[::1]:8080/p'q?x=%27y%27",
      username: 'a',
      password: 'b@c',
    });
    expect(splitWebhookUrl('https://Host.example:443?x=@y')).toEqual({ url: 'https://host.example/?x=@y' });
    expect(() => splitWebhookUrl('not a url')).toThrow('Not a valid URL: "not a url"');
  });
});
