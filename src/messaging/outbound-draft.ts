// Turns the parameters of a Messages create request into a validated outbound message draft, with the Twilio
// error code for each way the request can be wrong. Pure: sender ownership is checked by create-message.ts.
import { analyzeText, capacityOf, countBinarySegments, splitText } from '../encoding/segments.js';
import { isGsm7 } from '../encoding/gsm7.js';
import { AppError } from '../errors/app-error.js';
import { isAlphanumericSenderId, isE164 } from './address.js';
import { literalPrivateHost } from '../webhooks/address-ranges.js';
import { checkUdh } from './udh.js';

export const MAX_BODY_CHARACTERS = 1600;
export const DEFAULT_VALIDITY_SECONDS = 36000;

export type SmscCoding = 'gsm7' | 'ucs2' | 'binary';

/** The create parameters this gateway acts on (Twilio's names, plus the Smsc* extensions). */
export interface CreateMessageParams {
  To: string;
  From?: string | undefined;
  Body?: string | undefined;
  MediaUrl?: string[] | undefined;
  MessagingServiceSid?: string | undefined;
  ContentSid?: string | undefined;
  SendAt?: string | undefined;
  ScheduleType?: string | undefined;
  StatusCallback?: string | undefined;
  StatusCallbackMethod?: 'GET' | 'POST' | undefined;
  ValidityPeriod?: number | undefined;
  SmartEncoded?: boolean | undefined;
  SmscUdh?: string | undefined;
  SmscCoding?: SmscCoding | undefined;
  SmscBinaryBody?: string | undefined;
  SmscMessageClass?: number | undefined;
}

export interface OutboundDraft {
  to: string;
  /** Null when a Messaging Service will pick the sender from its pool. */
  from: string | null;
  /** An E.164 sender must be one of the account's numbers; an alphanumeric ID is always allowed; pool: see from. */
  fromKind: 'number' | 'alphanumeric' | 'pool';
  /** The Messaging Service (MessagingServiceSid, or an MG… SID given in From), if any. */
  serviceSid: string | null;
  /** Text after Smart Encoding; for coding 1 the payload as uppercase hex. */
  body: string;
  /** SMSC data coding: 0 GSM 7-bit, 1 8-bit binary, 2 UCS-2. */
  coding: 0 | 1 | 2;
  numSegments: number;
  udh: string | null;
  messageClass: number | null;
  validitySeconds: number;
  statusCallback: string | null;
  statusCallbackMethod: 'GET' | 'POST';
}

export interface DraftPolicy {
  /** WEBHOOK_ALLOW_PRIVATE_URLS; false refuses a StatusCallback whose host is a private IP address. */
  allowPrivateUrls: boolean;
}

export function draftOutboundMessage(params: CreateMessageParams, policy: DraftPolicy = { allowPrivateUrls: true }): OutboundDraft {
  const to = checkTo(params.To);
  rejectUnsupported(params);
  const serviceSid = serviceSidOf(params);
  const { from, fromKind } = checkFrom(serviceSid !== null && params.From === serviceSid ? undefined : params.From, to, serviceSid !== null);
  const content = checkContent(params);
  return {
    to,
    from,
    fromKind,
    serviceSid,
    ...content,
    messageClass: params.SmscMessageClass ?? null,
    validitySeconds: params.ValidityPeriod ?? DEFAULT_VALIDITY_SECONDS,
    statusCallback: checkStatusCallback(params.StatusCallback, policy),
    statusCallbackMethod: params.StatusCallbackMethod ?? 'POST',
  };
}

function checkTo(to: string | undefined): string {
  if (to === undefined || to === '') throw new AppError('toRequired');
  if (!isE164(to)) throw new AppError('invalidTo', { to });
  return to;
}

function rejectUnsupported(params: CreateMessageParams): void {
  if (params.MediaUrl !== undefined && params.MediaUrl.length > 0) throw new AppError('mediaNotSupported');
  const unsupported: Array<[string, unknown, string]> = [
    ['ContentSid', params.ContentSid, 'send the text in Body'],
  ];
  for (const [name, value, reason] of unsupported) {
    if (value !== undefined && value !== '') throw new AppError('featureNotSupported', { name, reason });
  }
}

/** MessagingServiceSid, else an MG… SID written in From (Twilio accepts both); 21705 when it is not MG + 32 hex. */
export function serviceSidOf(params: Pick<CreateMessageParams, 'MessagingServiceSid' | 'From'>): string | null {
  const given = params.MessagingServiceSid !== undefined && params.MessagingServiceSid !== ''
    ? params.MessagingServiceSid
    : params.From?.startsWith('MG') === true && params.From.length === 34 ? params.From : null;
  if (given === null) return null;
  if (!/^MG[0-9a-fA-F]{32}$/.test(given)) throw new AppError('invalidServiceSid', { sid: given });
  return given;
}

function checkFrom(from: string | undefined, to: string, viaService: boolean): Pick<OutboundDraft, 'from' | 'fromKind'> {
  if ((from === undefined || from === '') && viaService) return { from: null, fromKind: 'pool' };
  if (from === undefined || from === '') throw new AppError('fromRequired');
  if (isE164(from)) {
    if (from === to) throw new AppError('toEqualsFrom');
    return { from, fromKind: 'number' };
  }
  if (isAlphanumericSenderId(from)) return { from, fromKind: 'alphanumeric' };
  throw new AppError('invalidFrom', { from });
}

type Content = Pick<OutboundDraft, 'body' | 'coding' | 'numSegments' | 'udh'>;

function checkContent(params: CreateMessageParams): Content {
  const udh = params.SmscUdh === undefined ? null : checkUdhParam(params.SmscUdh);
  if (params.SmscBinaryBody !== undefined || params.SmscCoding === 'binary') return binaryContent(params, udh);
  const text = params.Body;
  if (text === undefined || text === '') throw new AppError('bodyRequired');
  if (text.length > MAX_BODY_CHARACTERS) throw new AppError('bodyTooLong');
  const analysis = analyzeText(text, { smartEncoding: params.SmartEncoded === true });
  let encoding = analysis.encoding;
  if (params.SmscCoding === 'gsm7' && !isGsm7(analysis.text)) {
    throw new AppError('invalidSmscParameter', { name: 'SmscCoding', reason: 'gsm7 was asked for a text outside the GSM 03.38 alphabet' });
  }
  if (params.SmscCoding === 'ucs2') encoding = 'UCS2';
  const coding = encoding === 'GSM7' ? 0 : 2;
  if (udh !== null) {
    // With a caller-supplied UDH the caller does its own concatenation: the text must fit one part.
    if (analysis.units > capacityOf({ encoding, udhOctets: udh.octets })) {
      throw new AppError('invalidSmscParameter', { name: 'SmscUdh', reason: 'the text does not fit beside the header in one segment' });
    }
    return { body: analysis.text, coding, numSegments: 1, udh: udh.hex };
  }
  const numSegments = encoding === analysis.encoding
    ? analysis.segments
    : splitText({ text: analysis.text, encoding }).length;
  return { body: analysis.text, coding, numSegments, udh: null };
}

function binaryContent(params: CreateMessageParams, udh: { hex: string; octets: number } | null): Content {
  const hex = params.SmscBinaryBody;
  if (hex === undefined || hex === '') {
    throw new AppError('invalidSmscParameter', { name: 'SmscCoding', reason: 'binary needs the payload in SmscBinaryBody' });
  }
  if (params.SmscCoding !== undefined && params.SmscCoding !== 'binary') {
    throw new AppError('invalidSmscParameter', { name: 'SmscCoding', reason: 'SmscBinaryBody is always sent with binary coding' });
  }
  if (params.Body !== undefined && params.Body !== '') {
    throw new AppError('invalidSmscParameter', { name: 'SmscBinaryBody', reason: 'give either Body or SmscBinaryBody, not both' });
  }
  if (!/^(?:[0-9A-Fa-f]{2})+$/.test(hex)) {
    throw new AppError('invalidSmscParameter', { name: 'SmscBinaryBody', reason: 'must be an even number of hex digits' });
  }
  const octets = hex.length / 2;
  if (octets > MAX_BODY_CHARACTERS) throw new AppError('bodyTooLong');
  if (udh !== null && octets > capacityOf({ encoding: 'BINARY', udhOctets: udh.octets })) {
    throw new AppError('invalidSmscParameter', { name: 'SmscUdh', reason: 'the payload does not fit beside the header in one segment' });
  }
  const numSegments = udh === null ? countBinarySegments(octets) : 1;
  return { body: hex.toUpperCase(), coding: 1, numSegments, udh: udh?.hex ?? null };
}

function checkUdhParam(hex: string): { hex: string; octets: number } {
  const check = checkUdh(hex);
  if (!check.ok) throw new AppError('invalidSmscParameter', { name: 'SmscUdh', reason: check.reason });
  return check;
}

/** Twilio: an absolute URL with a valid hostname containing no underscores. */
export function isValidCallbackUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '' && !url.hostname.includes('_');
}

// A private IP address written in the URL can never be called, so it is refused now, with the URL error, rather
// than accepted and failed at every callback. Host names are judged at call time (url-policy.ts).
function checkStatusCallback(url: string | undefined, policy: DraftPolicy): string | null {
  if (url === undefined || url === '') return null;
  if (!isValidCallbackUrl(url)) throw new AppError('invalidStatusCallback', { url });
  if (!policy.allowPrivateUrls && literalPrivateHost(url) !== null) throw new AppError('invalidStatusCallback', { url });
  return url;
}
