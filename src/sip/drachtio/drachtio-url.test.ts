import { describe, expect, it } from 'vitest';
import { parseDrachtioUrl, parseServerHostports } from './drachtio-url.js';
import { SipTransportError } from './sip-transport-error.js';

function messageOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof SipTransportError) return error.message;
    throw error;
  }
  return 'no error';
}

describe('parseDrachtioUrl', () => {
  it('reads the secret from the user part and defaults the port to 9022', () => {
    expect(parseDrachtioUrl({ url: 'drachtio://cymru@127.0.0.1' })).toEqual({ host: '127.0.0.1', port: 9022, secret: 'cymru' });
  });

  it('percent-decodes the secret and keeps an explicit port', () => {
    expect(parseDrachtioUrl({ url: 'drachtio://s%40cr%3At@localhost:9023' })).toEqual({ host: 'localhost', port: 9023, secret: 's@cr:t' });
  });

  it('takes the secret from the option for tcp:// URLs', () => {
    expect(parseDrachtioUrl({ url: 'tcp://127.0.0.1:9022', secret: 'cymru' })).toEqual({ host: '127.0.0.1', port: 9022, secret: 'cymru' });
  });

  it('accepts the same secret twice and strips IPv6 brackets', () => {
    expect(parseDrachtioUrl({ url: 'drachtio://cymru@[::1]:9022', secret: 'cymru' })).toEqual({ host: '::1', port: 9022, secret: 'cymru' });
  });

  it.each([
    ['not a url', undefined, 'INVALID_CONFIG: drachtio URL is not a URL: "not a url"'],
    ['tls://cymru@127.0.0.1:9022', undefined, 'INVALID_CONFIG: drachtio URL scheme must be drachtio: or tcp:, got tls:'],
    ['tcp://127.0.0.1', 'cymru', 'INVALID_CONFIG: tcp:// drachtio URL needs a port'],
    ['drachtio://127.0.0.1:9022', undefined, 'INVALID_CONFIG: drachtio secret is missing'],
    ['drachtio://a@127.0.0.1', 'b', 'INVALID_CONFIG: drachtio secret given both in the URL and as an option, and they differ'],
    ['drachtio://user:pass@127.0.0.1', undefined, 'INVALID_CONFIG: drachtio URL takes the secret as the user part (secret@host), not user:password'],
    ['drachtio://a%7Cb@127.0.0.1', undefined, 'INVALID_CONFIG: drachtio secret must not contain "|"'],
    ['drachtio://cymru@127.0.0.1/path', undefined, 'INVALID_CONFIG: drachtio URL must not have a path, got /path'],
  ])('refuses %s', (url, secret, expected) => {
    expect(messageOf(() => parseDrachtioUrl({ url, secret }))).toBe(expected);
  });
});

describe('parseServerHostports', () => {
  it('reads UDP and TCP listeners and skips other transports and junk', () => {
    expect(parseServerHostports('udp/127.0.0.1:5060,tcp/127.0.0.1:5061, tls/127.0.0.1:5062,udp/[::1]:5060,garbage')).toEqual([
      { transport: 'udp', host: '127.0.0.1', port: 5060 },
      { transport: 'tcp', host: '127.0.0.1', port: 5061 },
      { transport: 'udp', host: '::1', port: 5060 },
    ]);
    expect(parseServerHostports('')).toEqual([]);
  });
});
