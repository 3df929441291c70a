// Opaque keyset page tokens. "PA" marks a token for the rows after (older than) a key, "PB" for the rows before
// (newer than) it; the key is the row's (date_created, sid), the list order. Tokens stay valid while new messages
// arrive because they name a position in that order, not an offset.
import { isSid } from '../messaging/sid.js';
import { AppError } from '../errors/app-error.js';

export interface PageKey {
  dateCreated: Date;
  sid: string;
}

export type PageDirection = 'after' | 'before';

export interface PageToken {
  direction: PageDirection;
  key: PageKey;
}

export function encodePageToken(token: PageToken): string {
  const payload = Buffer.from(JSON.stringify([token.key.dateCreated.toISOString(), token.key.sid])).toString('base64url');
  return (token.direction === 'after' ? 'PA' : 'PB') + payload;
}

/** Throws 21481 for anything this server did not issue. */
export function decodePageToken(text: string, sidPrefix: 'SM' | 'PN' | 'SK' | 'AC'): PageToken {
  const prefix = text.slice(0, 2);
  if (prefix !== 'PA' && prefix !== 'PB') throw new AppError('invalidPageToken');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text.slice(2), 'base64url').toString('utf8'));
  } catch {
    throw new AppError('invalidPageToken');
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) throw new AppError('invalidPageToken');
  const [iso, sid] = parsed as unknown[];
  if (typeof iso !== 'string' || typeof sid !== 'string' || !isSid(sid, sidPrefix)) throw new AppError('invalidPageToken');
  const dateCreated = new Date(iso);
  if (Number.isNaN(dateCreated.getTime()) || dateCreated.toISOString() !== iso) throw new AppError('invalidPageToken');
  return { direction: prefix === 'PA' ? 'after' : 'before', key: { dateCreated, sid } };
}
