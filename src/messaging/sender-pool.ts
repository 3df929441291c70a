// Which pool number sends a message through a Messaging Service (services spec §3.3; Twilio publishes no
// algorithm). Order: the recipient's sticky sender while it is still in the pool (when sticky sender is on),
// then a number with the recipient's area code (NANP, with area-code geomatch on), then one in the recipient's
// country, then any. Among equals the recipient's hash decides, so that load spreads over the pool while one
// recipient always lands on the same number. Pure.
import { createHash } from 'node:crypto';

export interface SenderChoice {
  pool: readonly string[];
  to: string;
  /** The recipient's sticky sender, if one is recorded. */
  sticky: string | null;
  stickySender: boolean;
  areaCodeGeomatch: boolean;
}

/** North American numbering: +1 and a three-digit area code. */
function nanpAreaCode(e164: string): string | null {
  return /^\+1\d{10}$/.test(e164) ? e164.slice(2, 5) : null;
}

/** A rough country key: +1 for NANP, else the first two digits of the calling code (enough to tell neighbours apart). */
function countryKey(e164: string): string {
  return e164.startsWith('+1') ? '+1' : e164.slice(0, 3);
}

function spread(candidates: readonly string[], to: string): string | null {
  if (candidates.length === 0) return null;
  const hash = createHash('sha1').update(to).digest().readUInt32BE(0);
  return candidates[hash % candidates.length] ?? null;
}

/** The sender, or null when the pool is empty. */
export function pickSender(choice: SenderChoice): string | null {
  const { pool, to } = choice;
  if (choice.stickySender && choice.sticky !== null && pool.includes(choice.sticky)) return choice.sticky;
  const area = nanpAreaCode(to);
  if (choice.areaCodeGeomatch && area !== null) {
    const local = pool.filter((number) => nanpAreaCode(number) === area);
    if (local.length > 0) return spread(local, to);
  }
  const national = pool.filter((number) => countryKey(number) === countryKey(to));
  return spread(national.length > 0 ? national : pool, to);
}
