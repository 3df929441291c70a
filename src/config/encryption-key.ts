// AUTH_TOKEN_ENCRYPTION_KEY and its _PREVIOUS: 32 random bytes (an AES-256 key), written as 64 hex digits or as
// base64 (44 characters with padding, or 43 without; the URL-safe alphabet is accepted too). Decoded here so
// that a wrong length is a configuration error at start, not a crypto error at the first token.
export const ENCRYPTION_KEY_BYTES = 32;

/** The key as 64 lowercase hex digits, or an error text saying what is wrong (never echoing the value). */
export function decodeEncryptionKey(text: string): { hex: string } | { error: string } {
  const expected = `must be ${ENCRYPTION_KEY_BYTES} bytes written as 64 hex digits or in base64 (e.g. \`openssl rand -base64 32\`)`;
  if (/^[0-9a-fA-F]{64}$/.test(text)) return { hex: text.toLowerCase() };
  if (!/^[A-Za-z0-9+/_-]{43}={0,1}$/.test(text)) return { error: expected };
  const bytes = Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  if (bytes.length !== ENCRYPTION_KEY_BYTES) return { error: expected };
  return { hex: bytes.toString('hex') };
}
