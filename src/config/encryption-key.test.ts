import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.js';
import { decodeEncryptionKey } from './encryption-key.js';
import { loadConfig } from './load-config.js';

const HEX = '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff';
const BASE64 = Buffer.from(HEX, 'hex').toString('base64');

function problemsOf(env: NodeJS.ProcessEnv): readonly string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('loadConfig accepted the environment');
}

describe('decodeEncryptionKey', () => {
  it('reads 32 bytes as hex (either case) or base64 (standard or URL-safe, padded or not)', () => {
    expect(decodeEncryptionKey(HEX)).toEqual({ hex: HEX });
    expect(decodeEncryptionKey(HEX.toUpperCase())).toEqual({ hex: HEX });
    expect(decodeEncryptionKey(BASE64)).toEqual({ hex: HEX });
    expect(decodeEncryptionKey(BASE64.replace(/=$/, ''))).toEqual({ hex: HEX });
    const urlSafe = Buffer.from('fb'.repeat(32), 'hex').toString('base64url');
    expect(decodeEncryptionKey(urlSafe)).toEqual({ hex: 'fb'.repeat(32) });
  });

  it('refuses other lengths and alphabets', () => {
    for (const bad of [HEX.slice(2), `${HEX}00`, Buffer.alloc(16).toString('base64'), Buffer.alloc(33).toString('base64'), 'a passphrase, not a key']) {
      expect(decodeEncryptionKey(bad)).toEqual({ error: expect.stringContaining('must be 32 bytes') });
    }
  });
});

describe('AUTH_TOKEN_ENCRYPTION_KEY in loadConfig', () => {
  it('is optional: without it tokens stay in plain text', () => {
    expect(loadConfig({}).authTokenEncryption).toEqual({ key: undefined, previousKey: undefined });
  });

  it('normalises both keys to hex', () => {
    const config = loadConfig({ AUTH_TOKEN_ENCRYPTION_KEY: BASE64, AUTH_TOKEN_ENCRYPTION_KEY_PREVIOUS: 'ab'.repeat(32) });
    expect(config.authTokenEncryption).toEqual({ key: HEX, previousKey: 'ab'.repeat(32) });
  });

  it('reports a malformed key without showing it, a previous key alone, and a plain token that looks encrypted', () => {
    expect(problemsOf({ AUTH_TOKEN_ENCRYPTION_KEY: 'secret-passphrase' })).toEqual([
      'AUTH_TOKEN_ENCRYPTION_KEY: must be 32 bytes written as 64 hex digits or in base64 (e.g. `openssl rand -base64 32`) (value hidden)',
    ]);
    expect(problemsOf({ AUTH_TOKEN_ENCRYPTION_KEY_PREVIOUS: HEX })).toEqual([
      'AUTH_TOKEN_ENCRYPTION_KEY_PREVIOUS is set but AUTH_TOKEN_ENCRYPTION_KEY is not: the previous key only helps a rotation to a new one',
    ]);
    expect(problemsOf({ ACCOUNT_SID: `AC${'0'.repeat(32)}`, AUTH_TOKEN: 'enc:v1:looks-encrypted' })).toEqual([
      'AUTH_TOKEN: must not start with "enc:" (value hidden)',
    ]);
  });
});
