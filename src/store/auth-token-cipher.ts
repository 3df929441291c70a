// Auth tokens at rest. A token cannot be hashed like an API key secret: every webhook is signed with it
// (HMAC-SHA1, X-Twilio-Signature), so the service must be able to read it back. With a key configured it is
// stored as AES-256-GCM ciphertext:
//
//   enc:v1:<key id>:<base64 IV (12 bytes)>:<base64 ciphertext + 16-byte tag>
//
// The key id (8 hex digits derived from the key) says which key sealed a value, so that a start with the wrong
// key fails with "sealed with key X, configured Y" instead of a bare authentication error, and a rotation knows
// which rows still carry the previous key. The account SID is the additional authenticated data: a ciphertext
// copied onto another account does not open. Without a key tokens are stored, and read, as they are.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const PREFIX = 'enc:v1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** A stored token that cannot be read with the keys at hand (wrong key, no key, or altered). */
export class AuthTokenKeyError extends Error {
  override readonly name = 'AuthTokenKeyError';
}

export interface AuthTokenCipher {
  /** True when a key is configured: new tokens are stored encrypted. */
  readonly encrypting: boolean;
  /** The id of the configured key, or null without one. */
  readonly keyId: string | null;
  /** The form to store: ciphertext with a key, the token itself without. */
  seal(accountSid: string, token: string): string;
  /** The token of a stored value (ciphertext or plain text). Throws AuthTokenKeyError if it cannot be read. */
  open(accountSid: string, stored: string): string;
  /** Whether a stored value should be rewritten: plain text while a key is configured, or sealed by the previous key. */
  needsSealing(stored: string): boolean;
}

export interface AuthTokenKeys {
  /** AES-256 key as 64 hex digits (AUTH_TOKEN_ENCRYPTION_KEY, decoded by the configuration). */
  key?: string | undefined;
  /** The key being rotated away from (AUTH_TOKEN_ENCRYPTION_KEY_PREVIOUS): still opens, never seals. */
  previousKey?: string | undefined;
}

export function isSealedAuthToken(stored: string): boolean {
  return stored.startsWith(PREFIX);
}

/** The key id of a sealed value, or null for a plain token. */
export function sealedKeyId(stored: string): string | null {
  return isSealedAuthToken(stored) ? (stored.slice(PREFIX.length).split(':')[0] ?? '') : null;
}

export function authTokenKeyId(keyHex: string): string {
  return createHash('sha256').update('smsc-connect auth token key id\u0000').update(Buffer.from(keyHex, 'hex')).digest('hex').slice(0, 8);
}

export function createAuthTokenCipher(keys: AuthTokenKeys = {}): AuthTokenCipher {
  const current = keys.key === undefined ? null : { id: authTokenKeyId(keys.key), bytes: Buffer.from(keys.key, 'hex') };
  const previous = keys.previousKey === undefined ? null : { id: authTokenKeyId(keys.previousKey), bytes: Buffer.from(keys.previousKey, 'hex') };
  const byId = new Map([previous, current].flatMap((k) => (k === null ? [] : [[k.id, k.bytes] as const])));
  return {
    encrypting: current !== null,
    keyId: current?.id ?? null,
    seal(accountSid, token) {
      if (current === null) return token;
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', current.bytes, iv).setAAD(Buffer.from(accountSid, 'utf8'));
      const sealed = Buffer.concat([cipher.update(token, 'utf8'), cipher.final(), cipher.getAuthTag()]);
      return `${PREFIX}${current.id}:${iv.toString('base64')}:${sealed.toString('base64')}`;
    },
    open(accountSid, stored) {
      if (!isSealedAuthToken(stored)) return stored;
      const [id, ivText, sealedText, ...rest] = stored.slice(PREFIX.length).split(':');
      const key = byId.get(id ?? '');
      if (key === undefined) {
        throw new AuthTokenKeyError(current === null
          ? `the auth token of ${accountSid} is encrypted (key id ${id}) but AUTH_TOKEN_ENCRYPTION_KEY is not set`
          : `the auth token of ${accountSid} is encrypted with key id ${id}, not with AUTH_TOKEN_ENCRYPTION_KEY (key id ${current.id})` +
            `${previous === null ? '' : ` or AUTH_TOKEN_ENCRYPTION_KEY_PREVIOUS (key id ${previous.id})`}`);
      }
      const iv = Buffer.from(ivText ?? '', 'base64');
      const sealed = Buffer.from(sealedText ?? '', 'base64');
      if (rest.length > 0 || iv.length !== IV_BYTES || sealed.length < TAG_BYTES) {
        throw new AuthTokenKeyError(`the stored auth token of ${accountSid} is not a well-formed ${PREFIX} value`);
      }
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, iv).setAAD(Buffer.from(accountSid, 'utf8'));
        decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
        return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES)), decipher.final()]).toString('utf8');
      } catch {
        throw new AuthTokenKeyError(`the stored auth token of ${accountSid} does not decrypt with key id ${id}: altered, or copied from another account`);
      }
    },
    needsSealing(stored) {
      if (current === null) return false;
      return sealedKeyId(stored) !== current.id;
    },
  };
}

/** Reads and stores tokens as they are; still refuses (clearly) to hand out ciphertext as if it were a token. */
export const PLAIN_AUTH_TOKENS: AuthTokenCipher = createAuthTokenCipher();
