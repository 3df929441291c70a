// Inbound routing's lookup: the hosted numbers among some candidates (`+digits` and the To user as given), with
// where their webhooks go (the number's own URLs, or its Messaging Service's) and the service's opt-out replies.
// One statement per batch of MO SMS, and in front of it a cache: every MO asks this, the answer changes only
// when a number, a service or its pool does, and such writes through this process move directory-version.ts,
// which empties the cache at once. A change made by another instance is seen within ttlMs.
//
// Only hosted numbers are remembered: a number added anywhere is routed at once (an unknown To is rare and costs
// the query), never refused for ttlMs after someone created it.
import type { IncomingNumber } from '../messaging/receive-sms.js';
import type { SqlQuery } from './database.js';
import { directoryVersion } from './directory-version.js';
import { TtlCache } from './ttl-cache.js';

/** How long a hosted number's routing is remembered when the caller does not say (as the API's caches). */
export const DEFAULT_INCOMING_NUMBER_TTL_MS = 5_000;

interface IncomingNumberRow {
  account_sid: string; phone_number: string; sms_url: string | null; sms_method: string;
  sms_fallback_url: string | null; sms_fallback_method: string; service_sid: string | null;
  opt_out_reply: string | null; opt_in_reply: string | null; help_reply: string | null;
}

/** The hosted numbers among `numbers` (stored spelling), in one statement. */
export async function selectIncomingNumbers(query: SqlQuery, numbers: readonly string[]): Promise<IncomingNumber[]> {
  if (numbers.length === 0) return [];
  const rows = await query<IncomingNumberRow>(
    // A pool number uses its service's inbound and fallback URLs, unless the service has
    // use_inbound_webhook_on_number (then the number's own win, as at Twilio).
    `SELECT p.account_sid, p.phone_number, s.sid AS service_sid, s.opt_out_reply, s.opt_in_reply, s.help_reply,
       CASE WHEN s.sid IS NULL OR s.use_inbound_webhook_on_number THEN p.sms_url ELSE s.inbound_request_url END AS sms_url,
       CASE WHEN s.sid IS NULL OR s.use_inbound_webhook_on_number THEN p.sms_method ELSE s.inbound_method END AS sms_method,
       CASE WHEN s.sid IS NULL OR s.use_inbound_webhook_on_number THEN p.sms_fallback_url ELSE s.fallback_url END AS sms_fallback_url,
       CASE WHEN s.sid IS NULL OR s.use_inbound_webhook_on_number THEN p.sms_fallback_method ELSE s.fallback_method END AS sms_fallback_method
     FROM phone_numbers p JOIN accounts a ON a.sid = p.account_sid
       LEFT JOIN messaging_service_numbers sn ON sn.phone_number_sid = p.sid
       LEFT JOIN messaging_services s ON s.sid = sn.service_sid
     WHERE p.phone_number = ANY($1::text[])`,
    [numbers],
  );
  return rows.map((row) => ({
    accountSid: row.account_sid, phoneNumber: row.phone_number, smsUrl: row.sms_url, smsMethod: row.sms_method,
    smsFallbackUrl: row.sms_fallback_url, smsFallbackMethod: row.sms_fallback_method, messagingServiceSid: row.service_sid,
    replies: { STOP: row.opt_out_reply, START: row.opt_in_reply, HELP: row.help_reply },
  }));
}

export interface IncomingNumberLookup {
  /** The hosted numbers among `numbers`, from memory where possible; one statement for the rest. */
  find(query: SqlQuery, numbers: readonly string[]): Promise<Map<string, IncomingNumber>>;
}

/** Straight to the database every time (the reassembly sweeper, tests, ttlMs 0). */
export const uncachedIncomingNumbers: IncomingNumberLookup = {
  async find(query, numbers) {
    return new Map((await selectIncomingNumbers(query, numbers)).map((number) => [number.phoneNumber, number]));
  },
};

export function cacheIncomingNumbers(options: { ttlMs?: number; maxEntries?: number } = {}): IncomingNumberLookup {
  const cache = new TtlCache<IncomingNumber>({
    ttlMs: options.ttlMs ?? DEFAULT_INCOMING_NUMBER_TTL_MS, maxEntries: options.maxEntries ?? 10_000, invalidatedBy: directoryVersion,
  });
  return {
    async find(query, numbers) {
      const found = new Map<string, IncomingNumber>();
      const missing: string[] = [];
      for (const number of numbers) {
        const known = cache.get(number);
        if (known === undefined) missing.push(number);
        else found.set(number, known);
      }
      if (missing.length === 0) return found;
      const generation = cache.generation;
      for (const number of await selectIncomingNumbers(query, missing)) {
        cache.set(number.phoneNumber, number, generation);
        found.set(number.phoneNumber, number);
      }
      return found;
    },
  };
}
