import { createDecipheriv } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AuthTokenKeyError, authTokenKeyId, createAuthTokenCipher, PLAIN_AUTH_TOKENS, sealedKeyId } from './auth-token-cipher.js';

const KEY = '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff';
const OTHER = 'ff'.repeat(32);
const SID = `AC${'1'.repeat(32)}`;
const TOKEN = '0123456789abcdef0123456789abcdef';

describe('auth token cipher', () => {
  it('seals as enc:v1:<key id>:<iv>:<ciphertext+tag>, AES-256-GCM with the account SID as AAD', () => {
    const cipher = createAuthTokenCipher({ key: KEY });
    const sealed = cipher.seal(SID, TOKEN);
    const [prefix, version, id, iv, body] = sealed.split(':');
    expect([prefix, version, id]).toEqual(['enc', 'v1', authTokenKeyId(KEY)]);
    expect(sealed).not.toContain(TOKEN);
    // Independent decryption with node:crypto, to pin the format.
    const bytes = Buffer.from(body!, 'base64');
    const decipher = createDecipheriv('aes-256-gcm', Buffer.from(KEY, 'hex'), Buffer.from(iv!, 'base64')).setAAD(Buffer.from(SID));
    decipher.setAuthTag(bytes.subarray(bytes.length - 16));
    expect(Buffer.concat([decipher.update(bytes.subarray(0, bytes.length - 16)), decipher.final()]).toString()).toBe(TOKEN);
    expect(cipher.open(SID, sealed)).toBe(TOKEN);
  });

  it('uses a fresh IV every time', () => {
    const cipher = createAuthTokenCipher({ key: KEY });
    expect(cipher.seal(SID, TOKEN)).not.toBe(cipher.seal(SID, TOKEN));
  });

  it('refuses a value moved to another account, altered, or sealed with an unknown key', () => {
    const cipher = createAuthTokenCipher({ key: KEY });
    const sealed = cipher.seal(SID, TOKEN);
    expect(() => cipher.open(`AC${'2'.repeat(32)}`, sealed)).toThrow(AuthTokenKeyError);
    const flipped = sealed.slice(0, -3) + (sealed.at(-3) === 'A' ? 'B' : 'A') + sealed.slice(-2);
    expect(() => cipher.open(SID, flipped)).toThrow(/does not decrypt with key id/);
    expect(() => cipher.open(SID, `${sealed}:x`)).toThrow(/not a well-formed/);
    const foreign = createAuthTokenCipher({ key: OTHER }).seal(SID, TOKEN);
    expect(() => cipher.open(SID, foreign)).toThrow(
      `the auth token of ${SID} is encrypted with key id ${authTokenKeyId(OTHER)}, not with AUTH_TOKEN_ENCRYPTION_KEY (key id ${authTokenKeyId(KEY)})`,
    );
  });

  it('opens values of the previous key and marks them, and plain tokens, for re-sealing', () => {
    const old = createAuthTokenCipher({ key: OTHER }).seal(SID, TOKEN);
    const rotating = createAuthTokenCipher({ key: KEY, previousKey: OTHER });
    expect(rotating.open(SID, old)).toBe(TOKEN);
    expect(rotating.needsSealing(old)).toBe(true);
    expect(rotating.needsSealing(TOKEN)).toBe(true);
    const fresh = rotating.seal(SID, TOKEN);
    expect(sealedKeyId(fresh)).toBe(authTokenKeyId(KEY));
    expect(rotating.needsSealing(fresh)).toBe(false);
  });

  it('without a key stores plain text and refuses to read ciphertext', () => {
    expect(PLAIN_AUTH_TOKENS.encrypting).toBe(false);
    expect(PLAIN_AUTH_TOKENS.seal(SID, TOKEN)).toBe(TOKEN);
    expect(PLAIN_AUTH_TOKENS.open(SID, TOKEN)).toBe(TOKEN);
    expect(PLAIN_AUTH_TOKENS.needsSealing(TOKEN)).toBe(false);
    const sealed = createAuthTokenCipher({ key: KEY }).seal(SID, TOKEN);
    expect(() => PLAIN_AUTH_TOKENS.open(SID, sealed)).toThrow(
      `the auth token of ${SID} is encrypted (key id ${authTokenKeyId(KEY)}) but AUTH_TOKEN_ENCRYPTION_KEY is not set`,
    );
  });

  it('derives distinct, stable key ids', () => {
    expect(authTokenKeyId(KEY)).toMatch(/^[0-9a-f]{8}$/);
    expect(authTokenKeyId(KEY)).toBe(authTokenKeyId(KEY));
    expect(authTokenKeyId(KEY)).not.toBe(authTokenKeyId(OTHER));
  });
});
