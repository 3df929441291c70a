import { createHmac } from 'node:crypto';

/** Parameters as they are signed: a key may carry several values (e.g. repeated `MediaUrl`). */
export type SignedParams = Record<string, string | string[]>;

/**
 * X-Twilio-Signature: base64(HMAC-SHA1(authToken, url + key1 + value1 + key2 + value2 ...)).
 *
 * Keys are sorted the way twilio-node's validator sorts them (`Array.prototype.sort`, UTF-16 code units), so a
 * receiver using the official SDK recomputes the same string. A key with several values contributes each
 * *distinct* value, sorted, every time prefixed by the key. For GET webhooks pass the full URL (query string
 * included) and `params: {}`: the parameters travel in the URL and are signed as part of it.
 */
export function computeTwilioSignature(options: { authToken: string; url: string; params: SignedParams }): string {
  const { authToken, url, params } = options;
  let data = url;
  for (const key of Object.keys(params).sort()) {
    const value = params[key];
    if (value === undefined) continue;
    if (Array.isArray(value)) {
      for (const item of [...new Set(value)].sort()) data += key + item;
    } else {
      data += key + value;
    }
  }
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}
