// X- headers that an application asks for on its outgoing MESSAGE (RestComm-Connect: every form field named
// `X-…` becomes a same-named SIP header, spec restcomm-connect-sms.md §1.2). Pure.
//
// The SMSC's own headers (smsc-sip-interface.md §4.2) are not passed on raw: a value the SMSC cannot parse
// makes it answer nothing at all or 500, so each is validated like our Smsc* parameters and becomes the field
// it stands for (coding, UDH, validity, class, receipt), which both roads then write in their own protocol.
// Any other X- header passes through only when it is safe to put on the wire: a token name, a value without
// CR/LF or control characters, both bounded, and not on the operator's deny list.

export const SEED_X_HEADERS = ['X-SMS-UDH', 'X-SMS-CODING', 'X-SMS-VALIDITY', 'X-M-CLASS', 'X-REG-DELIVERY'] as const;

/** Headers the SMSC writes itself (on MO and receipts); an application may not forge them. */
const SMSC_OWN_HEADERS = ['X-SMSC-ID', 'X-DELIVERY_TIME'];

export const MAX_X_HEADER_NAME = 64;
export const MAX_X_HEADER_VALUE = 256;
export const MAX_PASS_THROUGH_HEADERS = 16;
/** The SMSC keeps a message at most 240 h (maxValidityPeriodHours). */
export const MAX_VALIDITY_SECONDS = 240 * 3600;

/** What the seed headers ask for, in the terms of the create parameters. */
export interface SeedHeaderFields {
  udh?: string;
  coding?: 0 | 1 | 2;
  validitySeconds?: number;
  messageClass?: number;
  receipt?: boolean;
}

export interface XHeaderRequest {
  seed: SeedHeaderFields;
  /** Validated pass-through headers, names as the application spelled them. */
  passThrough: Record<string, string>;
}

export class XHeaderError extends Error {
  override readonly name = 'XHeaderError';
  constructor(readonly header: string, readonly reason: string) {
    super(`${header}: ${reason}`);
  }
}

// RFC 3261 token characters.
const TOKEN = /^[A-Za-z0-9\-.!%*_+`'~]+$/;
// Visible ASCII, space and tab: no CR/LF, no other control characters, nothing a SIP parser could misread.
const SAFE_VALUE = /^[\x20-\x7e\t]*$/;

export function isXHeaderName(name: string): boolean {
  return /^x-/i.test(name);
}

/** Reads the X- fields of a request (name -> value); throws XHeaderError on the first bad one. */
export function parseXHeaderRequest(fields: Readonly<Record<string, string>>, options: { deny: readonly string[]; now: Date }): XHeaderRequest {
  const deny = new Set(options.deny.map((name) => name.toLowerCase()));
  const seed: SeedHeaderFields = {};
  const passThrough: Record<string, string> = {};
  for (const [name, rawValue] of Object.entries(fields)) {
    if (!isXHeaderName(name)) continue;
    const value = rawValue.trim();
    const seedName = SEED_X_HEADERS.find((known) => known.toLowerCase() === name.toLowerCase());
    if (seedName) {
      readSeedHeader(seedName, value, seed, options.now);
      continue;
    }
    checkPassThrough(name, value, deny);
    if (Object.keys(passThrough).length >= MAX_PASS_THROUGH_HEADERS) throw new XHeaderError(name, `at most ${MAX_PASS_THROUGH_HEADERS} X- headers besides the SMSC's`);
    passThrough[name] = value;
  }
  return { seed, passThrough };
}

function checkPassThrough(name: string, value: string, deny: ReadonlySet<string>): void {
  if (!TOKEN.test(name) || name.length > MAX_X_HEADER_NAME) throw new XHeaderError(name, `the name must be token characters, at most ${MAX_X_HEADER_NAME}`);
  if (SMSC_OWN_HEADERS.some((own) => own.toLowerCase() === name.toLowerCase())) throw new XHeaderError(name, 'only the SMSC sets this header');
  if (deny.has(name.toLowerCase())) throw new XHeaderError(name, 'this header is blocked by the operator (RESTCOMM_X_HEADER_DENY)');
  if (!SAFE_VALUE.test(value)) throw new XHeaderError(name, 'the value must be printable ASCII without CR or LF');
  if (value.length > MAX_X_HEADER_VALUE) throw new XHeaderError(name, `the value must be at most ${MAX_X_HEADER_VALUE} characters`);
}

function readSeedHeader(name: (typeof SEED_X_HEADERS)[number], value: string, seed: SeedHeaderFields, now: Date): void {
  const fail = (reason: string): never => {
    throw new XHeaderError(name, reason);
  };
  switch (name) {
    case 'X-SMS-UDH':
      if (!/^(?:[0-9A-Fa-f]{2})+$/.test(value)) fail('must be an even number of hex digits (the complete UDH, UDHL first)');
      seed.udh = value.toUpperCase();
      return;
    case 'X-SMS-CODING':
      if (value !== '0' && value !== '1' && value !== '2') fail('must be 0 (GSM 7-bit), 1 (8-bit) or 2 (UCS-2)');
      seed.coding = Number(value) as 0 | 1 | 2;
      return;
    case 'X-SMS-VALIDITY': {
      const match = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(value);
      const at = match ? Date.UTC(+match[1]!, +match[2]! - 1, +match[3]!, +match[4]!, +match[5]!, +match[6]!) : Number.NaN;
      if (!match || Number.isNaN(at) || new Date(at).toISOString().slice(0, 19).replace('T', ' ') !== value) {
        fail('must be a UTC time as yyyy-mm-dd hh:mm:ss');
      }
      const seconds = Math.ceil((at - now.getTime()) / 1000);
      if (seconds < 1) fail('must be in the future');
      if (seconds > MAX_VALIDITY_SECONDS) fail('must be at most 240 hours ahead');
      seed.validitySeconds = seconds;
      return;
    }
    case 'X-M-CLASS':
      if (!/^[0-3]$/.test(value)) fail('must be 0, 1, 2 or 3');
      seed.messageClass = Number(value);
      return;
    case 'X-REG-DELIVERY':
      if (!/^[0-3]$/.test(value)) fail('must be 0 (no receipt), 1, 2 or 3');
      seed.receipt = value !== '0';
      return;
  }
}

/**
 * The X- headers of an application's HTTP answer that may ride on its `<Sms>` reply (RestComm copies them all):
 * the same pass-through rules as a REST send; the SMSC's own headers are not taken from HTTP answers (a web
 * framework's header must not change how the SMSC codes the reply). What is left out is returned with why.
 */
export function replyXHeaders(headers: Readonly<Record<string, string>>, options: { deny: readonly string[] }): {
  headers: Record<string, string>;
  dropped: Array<{ name: string; reason: string }>;
} {
  const deny = new Set(options.deny.map((name) => name.toLowerCase()));
  const kept: Record<string, string> = {};
  const dropped: Array<{ name: string; reason: string }> = [];
  for (const [name, rawValue] of Object.entries(headers)) {
    if (!isXHeaderName(name)) continue;
    if (SEED_X_HEADERS.some((seed) => seed.toLowerCase() === name.toLowerCase())) {
      dropped.push({ name, reason: 'the SMSC\'s headers are not taken from HTTP answers' });
      continue;
    }
    try {
      checkPassThrough(name, rawValue.trim(), deny);
    } catch (error) {
      if (!(error instanceof XHeaderError)) throw error;
      dropped.push({ name, reason: error.reason });
      continue;
    }
    if (Object.keys(kept).length >= MAX_PASS_THROUGH_HEADERS) {
      dropped.push({ name, reason: `at most ${MAX_PASS_THROUGH_HEADERS} X- headers` });
      continue;
    }
    kept[name] = rawValue.trim();
  }
  return { headers: kept, dropped };
}
