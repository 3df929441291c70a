import { describe, expect, it } from 'vitest';
import { checkWebhookUrl, isPrivateAddress, isValidCallbackUrl, WebhookUrlError, type LookupAll } from './url-policy.js';

function fakeLookup(table: Record<string, string[]>): LookupAll {
  return async (hostname) => {
    const addresses = table[hostname];
    if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
}

async function refusal(url: string, lookup?: LookupAll): Promise<WebhookUrlError> {
  try {
    await checkWebhookUrl(url, { allowPrivate: false, lookup: lookup ?? fakeLookup({}) });
  } catch (error) {
    if (error instanceof WebhookUrlError) return error;
    throw error;
  }
  throw new Error(`expected ${url} to be refused`);
}

describe('isPrivateAddress', () => {
  it.each([
    '127.0.0.1', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1',
    '100.127.255.255', '0.0.0.0', '0.1.2.3', '224.0.0.1', '255.255.255.255', '::1', '::', 'fe80::1', 'fc00::1',
    'fd12:3456::1', '::ffff:127.0.0.1', '::ffff:10.0.0.1',
  ])('%s is private', (address) => {
    expect(isPrivateAddress(address)).toBe(true);
  });

  it.each(['8.8.8.8', '172.32.0.1', '100.128.0.1', '192.169.0.1', '2606:4700::1111', '::ffff:8.8.8.8'])('%s is public', (address) => {
    expect(isPrivateAddress(address)).toBe(false);
  });
});

describe('checkWebhookUrl', () => {
  it.each([
    'http://127.0.0.1:8080/hook', 'http://[::1]/hook', 'http://10.0.0.5/x', 'https://169.254.169.254/latest/meta-data',
    'http://2130706433/', 'http://0x7f.1/', 'http://[::ffff:192.168.0.1]/', 'http://100.64.1.1/', 'http://[fd00::1]/',
  ])('refuses literal private address in %s', async (url) => {
    const error = await refusal(url);
    expect(error.reason).toBe('private_address');
    expect(error.errorCode).toBe(11210);
  });

  it.each([
    'http://[64:ff9b::10.0.0.1]/', 'http://[64:ff9b::7f00:1]/', 'http://[2002:c0a8:101::1]/', 'http://[2002:a9fe:a9fe::]/',
    'http://[::ffff:0:127.0.0.1]/', 'http://[::ffff:0:a00:1]/', 'http://[2001:0:4136:e378:8000:63bf:f5ff:fffe]/',
    'http://[fc00::1]/', 'http://[fdab::1]/',
  ])('refuses an IPv4 embedded in IPv6 (NAT64, 6to4, translated, Teredo) and ULA: %s', async (url) => {
    const error = await refusal(url);
    expect([error.reason, error.errorCode, error.final]).toEqual(['private_address', 11210, true]);
  });

  it.each(['http://[64:ff9b::8.8.8.8]/', 'http://[2002:808:808::1]/', 'http://[::ffff:0:808:808]/'])(
    'calls a public IPv4 embedded in IPv6: %s',
    async (url) => {
      await expect(checkWebhookUrl(url, { allowPrivate: false, lookup: fakeLookup({}) })).resolves.toBeUndefined();
    },
  );

  it('refuses host names resolving to an embedded private IPv4 (a DNS64 answer for an internal name)', async () => {
    const lookup = fakeLookup({ 'internal.example': ['64:ff9b::a00:5'] });
    expect((await refusal('https://internal.example/hook', lookup)).message).toBe(
      'Refusing to call internal.example: it resolves to private address 64:ff9b::a00:5',
    );
  });

  it('refuses host names that resolve to a private address (any of them)', async () => {
    const lookup = fakeLookup({ 'mixed.example': ['93.184.216.34', '10.0.0.1'], 'localhost': ['127.0.0.1', '::1'] });
    expect((await refusal('https://mixed.example/hook', lookup)).message).toBe(
      'Refusing to call mixed.example: it resolves to private address 10.0.0.1',
    );
    expect((await refusal('http://localhost:3000/', lookup)).reason).toBe('private_address');
  });

  it('reports unresolvable hosts and bad schemes with their codes', async () => {
    const unresolvable = await refusal('https://nowhere.invalid/');
    expect([unresolvable.reason, unresolvable.errorCode, unresolvable.final]).toEqual(['unresolvable_host', 11210, false]);
    const ftp = await refusal('ftp://example.com/file');
    expect([ftp.reason, ftp.errorCode]).toEqual(['unsupported_scheme', 11100]);
    const garbage = await refusal('not a url');
    expect([garbage.reason, garbage.errorCode]).toEqual(['invalid_url', 11100]);
  });

  it('accepts public hosts, and private ones when allowed', async () => {
    const lookup = fakeLookup({ 'hooks.example.com': ['93.184.216.34', '2606:2800:220:1::1'] });
    await expect(checkWebhookUrl('https://hooks.example.com/sms', { allowPrivate: false, lookup })).resolves.toBeUndefined();
    await expect(checkWebhookUrl('http://8.8.8.8/x', { allowPrivate: false, lookup })).resolves.toBeUndefined();
    await expect(checkWebhookUrl('http://127.0.0.1:9/x', { allowPrivate: true, lookup })).resolves.toBeUndefined();
    await expect(checkWebhookUrl('gopher://127.0.0.1/', { allowPrivate: true, lookup })).rejects.toMatchObject({
      reason: 'unsupported_scheme',
    });
  });
});

describe('isValidCallbackUrl', () => {
  it.each(['https://example.com/cb', 'http://example.com:8080/cb?x=1#f', 'http://127.0.0.1/cb'])('accepts %s', (url) => {
    expect(isValidCallbackUrl(url)).toBe(true);
  });

  it.each(['https://my_host.example.com/cb', 'ftp://example.com/', 'example.com/cb', '', 'http://'])('rejects %s', (url) => {
    expect(isValidCallbackUrl(url)).toBe(false);
  });
});
