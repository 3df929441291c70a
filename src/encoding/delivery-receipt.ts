/**
 * Delivery-receipt text (SMPP 3.4 Appendix B, "SMSC vendor specific" but de-facto standard):
 *   id:IIIIIIIIII sub:SSS dlvrd:DDD submit date:YYMMDDhhmm done date:YYMMDDhhmm stat:DDDDDDD err:E text:...
 * The Restcomm SMSC writes exactly that order with a 10-digit id, and a `text:` (the first 20 characters of the
 * original message) that may contain spaces or be empty. Other SMSCs vary: case, order, missing fields,
 * 12- and 14-digit dates. Field values are kept as the raw wire strings.
 */
import { utcDate } from './utc-date.js';

export type DeliveryReceipt = {
  id: string;
  sub: string;
  dlvrd: string;
  /** yyMMddHHmm (or the 12/14-digit variants some SMSCs send), SMSC local time. */
  submitDate: string;
  doneDate: string;
  stat: string;
  err: string;
  text: string;
};

type Field = keyof DeliveryReceipt;

const KEYS: ReadonlyMap<string, Field> = new Map<string, Field>([
  ['id', 'id'],
  ['sub', 'sub'],
  ['dlvrd', 'dlvrd'],
  ['submit date', 'submitDate'],
  ['done date', 'doneDate'],
  ['stat', 'stat'],
  ['err', 'err'],
  ['text', 'text'],
]);

// A key starts the text or follows whitespace; matched case-insensitively ("Text:" occurs in the wild).
const KEY_PATTERN = /(?:^|\s)(id|sub|dlvrd|submit date|done date|stat|err|text):/gi;

/** The Appendix B stat values (Table B-2), plus SKIPPED from SMPP 5.0. */
export const RECEIPT_STATS: readonly string[] = [
  'ENROUTE', 'DELIVRD', 'EXPIRED', 'DELETED', 'UNDELIV', 'ACCEPTD', 'UNKNOWN', 'REJECTD', 'SKIPPED',
];

/**
 * Reads a receipt; null when `id:` or `stat:` is missing. Missing optional fields come back as ''.
 * `text:` runs to the end, or up to a field that has not been seen yet (a receipt with `text:` in the middle);
 * a field name repeated inside the text stays part of the text.
 */
export function parseDeliveryReceipt(text: string): DeliveryReceipt | null {
  const matches = [...text.matchAll(KEY_PATTERN)];
  const found = new Map<Field, string>();
  let i = 0;
  while (i < matches.length) {
    const match = matches[i] as RegExpMatchArray;
    const field = KEYS.get((match[1] ?? '').toLowerCase()) as Field;
    const start = (match.index ?? 0) + match[0].length;
    let next = i + 1;
    if (field === 'text') {
      while (next < matches.length && !isUnseenField(matches[next] as RegExpMatchArray, found)) next++;
    }
    const end = next < matches.length ? ((matches[next] as RegExpMatchArray).index ?? text.length) : text.length;
    const value = text.slice(start, end);
    if (!found.has(field)) found.set(field, field === 'text' ? value : value.trim());
    i = next;
  }
  const id = found.get('id');
  const stat = found.get('stat');
  if (id === undefined || id === '' || stat === undefined || stat === '') return null;
  return {
    id,
    sub: found.get('sub') ?? '',
    dlvrd: found.get('dlvrd') ?? '',
    submitDate: found.get('submitDate') ?? '',
    doneDate: found.get('doneDate') ?? '',
    stat,
    err: found.get('err') ?? '',
    text: found.get('text') ?? '',
  };
}

/** The receipt in the Restcomm SMSC's exact layout: Appendix B order, single spaces, `text:` last. */
export function buildDeliveryReceipt(receipt: DeliveryReceipt): string {
  return (
    `id:${receipt.id} sub:${receipt.sub} dlvrd:${receipt.dlvrd} submit date:${receipt.submitDate} ` +
    `done date:${receipt.doneDate} stat:${receipt.stat} err:${receipt.err} text:${receipt.text}`
  );
}

/**
 * The first 20 characters of a message, as a receipt's `text:` carries them. Counted in UTF-16 units like the
 * Restcomm SMSC (Java), except that a surrogate pair cut in half is dropped rather than left broken.
 */
export function receiptTextExcerpt(body: string): string {
  const excerpt = body.slice(0, 20);
  const last = excerpt.charCodeAt(excerpt.length - 1);
  return last >= 0xd800 && last <= 0xdbff ? excerpt.slice(0, -1) : excerpt;
}

/**
 * True when `text` is a delivery receipt rather than an ordinary message: it parses, its stat is a known
 * Appendix B value, and it carries both dates. Receipts over SIP have no marker header, so the body decides.
 */
export function isDeliveryReceipt(text: string): boolean {
  const receipt = parseDeliveryReceipt(text);
  if (receipt === null) return false;
  return (
    RECEIPT_STATS.includes(receipt.stat.toUpperCase()) &&
    parseReceiptDate(receipt.submitDate) !== null &&
    parseReceiptDate(receipt.doneDate) !== null
  );
}

/**
 * A receipt date: yyMMddHHmm (Appendix B), yyMMddHHmmss or yyyyMMddHHmmss. Receipt dates carry no zone (SMSC
 * local time); they are read as UTC, the only zone supported, so configure the SMSC in UTC. Null when invalid.
 */
export function parseReceiptDate(value: string, options?: { timeZone?: 'UTC' }): Date | null {
  void options;
  const match = /^(\d{2}|\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?$/.exec(value.trim());
  if (match === null) return null;
  const [, yearText = '', month = '', day = '', hour = '', minute = '', second = '00'] = match;
  // Two-digit years are this century: receipts describe messages sent recently.
  const year = yearText.length === 2 ? 2000 + Number(yearText) : Number(yearText);
  return utcDate([year, Number(month), Number(day), Number(hour), Number(minute), Number(second)]);
}

/** yyMMddHHmm in UTC, the Appendix B form. */
export function formatReceiptDate(date: Date): string {
  const parts = [
    date.getUTCFullYear() % 100,
    date.getUTCMonth() + 1,
    date.getUTCDate(),
    date.getUTCHours(),
    date.getUTCMinutes(),
  ];
  return parts.map((part) => String(part).padStart(2, '0')).join('');
}

/**
 * Whether a receipt's `id:` names the message we know as `messageId` (from submit_sm_resp or the
 * receipted_message_id TLV). Exact match first; then the common decimal-vs-hex mismatch, where an SMSC writes
 * the id in decimal in the text but hex elsewhere (`0059113978` is `38601fa`).
 */
export function receiptIdsMatch(receiptId: string, messageId: string): boolean {
  const a = receiptId.trim();
  const b = messageId.trim();
  if (a === '' || b === '') return false;
  if (a.toLowerCase() === b.toLowerCase()) return true;
  return sameNumber(a, b) || sameNumber(b, a);
}

/** `decimal` read as base 10 equals `hex` read as base 16. */
function sameNumber(decimal: string, hex: string): boolean {
  if (!/^\d{1,40}$/.test(decimal) || !/^[0-9a-f]{1,40}$/i.test(hex)) return false;
  return BigInt(decimal) === BigInt(`0x${hex}`);
}

function isUnseenField(match: RegExpMatchArray, found: Map<Field, string>): boolean {
  const field = KEYS.get((match[1] ?? '').toLowerCase());
  return field !== undefined && field !== 'text' && !found.has(field);
}
