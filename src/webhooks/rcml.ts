// RestComm-Connect's SMS verb in a webhook answer (spec restcomm-connect-sms.md §3.5): `<Sms to from action
// method statusCallback>text</Sms>`, interpreted beside TwiML's `<Message>` by twiml.ts. Pure.
//
// - to/from default to the inbound From/To (filled in by twiml-reply.ts, as for `<Message>`).
// - An empty text is 14103 and stops the document, as RestComm's interpreter stops.
// - `action`: the reply is sent, then the action URL (relative to the document's URL) is requested with the
//   webhook's parameters plus `SmsStatus=sending`, and its answer replaces the document: verbs after this
//   `<Sms>` never run. RestComm also stores the action as the reply's status callback; so do we, unless a
//   `statusCallback` attribute names another URL (RestComm ignores that attribute, spec §6: we honour it).
// - `method` (GET|POST, any case) applies to the action request; anything else is POST with warning 14104.
import { TWIML_CODES, type TwimlWarning } from './twiml-error.js';
import { directText, type XmlElement } from './twiml-xml.js';

export interface RcmlSms {
  to?: string;
  from?: string;
  body: string;
  statusCallback?: string;
  statusCallbackMethod?: 'GET' | 'POST';
}

export type SmsVerbResult =
  | { kind: 'stop' }
  | { kind: 'send'; sms: RcmlSms; next?: { url: string; method: 'GET' | 'POST'; params: Record<string, string> } };

const SMS_ATTRIBUTES = new Set(['to', 'from', 'action', 'method', 'statusCallback']);
const ADDRESS = /^(\+?[0-9]{1,15}|[A-Za-z0-9 ]{1,11})$/;

function resolve(value: string, baseUrl: string | undefined): string | null {
  try {
    const url = baseUrl === undefined ? new URL(value.trim()) : new URL(value.trim(), baseUrl);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

export function interpretSmsVerb(element: XmlElement, warnings: TwimlWarning[], baseUrl: string | undefined): SmsVerbResult {
  const attrs = element.attributes;
  for (const name of Object.keys(attrs)) {
    if (!SMS_ATTRIBUTES.has(name)) warnings.push({ code: TWIML_CODES.schemaWarning, message: `Unknown <Sms> attribute "${name}" was ignored` });
  }
  const body = directText(element).trim();
  if (body === '') {
    warnings.push({ code: TWIML_CODES.invalidBody, message: '<Sms> has no text: nothing was sent and the document stopped here' });
    return { kind: 'stop' };
  }
  const sms: RcmlSms = { body };
  const to = attrs.to?.trim();
  if (to !== undefined && to !== '') {
    if (!ADDRESS.test(to)) {
      warnings.push({ code: TWIML_CODES.invalidTo, message: `Invalid <Sms> 'to' "${attrs.to}": nothing was sent and the document stopped here` });
      return { kind: 'stop' };
    }
    sms.to = to;
  }
  const from = attrs.from?.trim();
  if (from !== undefined && from !== '') {
    if (!ADDRESS.test(from)) {
      warnings.push({ code: TWIML_CODES.invalidFrom, message: `Invalid <Sms> 'from' "${attrs.from}": nothing was sent and the document stopped here` });
      return { kind: 'stop' };
    }
    sms.from = from;
  }
  let method: 'GET' | 'POST' = 'POST';
  if (attrs.method !== undefined) {
    const upper = attrs.method.trim().toUpperCase();
    if (upper === 'GET' || upper === 'POST') method = upper;
    else warnings.push({ code: TWIML_CODES.invalidMethod, message: `Invalid <Sms> method "${attrs.method}"; POST is used` });
  }
  const callback = attrs.statusCallback === undefined ? null : resolve(attrs.statusCallback, baseUrl);
  if (attrs.statusCallback !== undefined && callback === null) {
    warnings.push({ code: TWIML_CODES.invalidStatusCallback, message: `Invalid <Sms> statusCallback "${attrs.statusCallback}" was ignored` });
  }
  const action = attrs.action === undefined || attrs.action.trim() === '' ? null : resolve(attrs.action, baseUrl);
  if (attrs.action !== undefined && attrs.action.trim() !== '' && action === null) {
    warnings.push({ code: TWIML_CODES.invalidUrl, message: `Invalid <Sms> action "${attrs.action}" was ignored` });
  }
  if (callback !== null) {
    sms.statusCallback = callback;
    sms.statusCallbackMethod = 'POST';
  } else if (action !== null) {
    sms.statusCallback = action;
    sms.statusCallbackMethod = method;
  }
  if (action === null) return { kind: 'send', sms };
  return { kind: 'send', sms, next: { url: action, method, params: { SmsStatus: 'sending' } } };
}
