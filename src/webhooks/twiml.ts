import { TwimlError, TWIML_CODES, type TwimlWarning } from './twiml-error.js';
import { directText, parseXmlDocument, type XmlElement } from './twiml-xml.js';
import { interpretSmsVerb } from './rcml.js';

export { TwimlError, TWIML_CODES, type TwimlWarning } from './twiml-error.js';

/**
 * Interpreter for Messaging TwiML (spec twilio-messages-api.md §6.2): `<Response>` with `<Message>` and
 * `<Redirect>` verbs. Pure. Fatal problems throw `TwimlError`; recoverable ones become warnings and the
 * offending attribute, element or verb is dropped, so one bad `<Message>` does not cost the others.
 */

export type TwimlMethod = 'GET' | 'POST';

export interface TwimlMessage {
  to?: string;
  from?: string;
  action?: string;
  method?: TwimlMethod;
  statusCallback?: string;
  body: string;
  media: string[];
  /** Set for RestComm's `<Sms>` (rcml.ts): the reply takes RestComm's callbacks and the response's X- headers. */
  dialect?: 'rcml';
}

export interface TwimlResult {
  messages: TwimlMessage[];
  /** The next document: `<Redirect>`, or `<Sms action>` (which adds `params` to the request). */
  redirect?: { url: string; method: TwimlMethod; params?: Record<string, string> };
  warnings: TwimlWarning[];
}

export interface ParseTwimlOptions {
  /** URL the document was fetched from; relative `action`, `statusCallback`, `<Media>`, `<Redirect>` resolve against it. */
  baseUrl?: string;
}

/** Twilio's limit on a TwiML response body. */
export const MAX_TWIML_BYTES = 64 * 1024;

const MESSAGE_ATTRIBUTES = new Set(['to', 'from', 'action', 'method', 'statusCallback']);
const MAX_MEDIA = 10;
// A number (E.164 with or without "+", short code) or a channel address such as "whatsapp:+1555...".
const ADDRESS = /^(\+?[0-9]{1,15}|[a-z][a-z0-9+.-]*:\S+)$/;
// An alphanumeric sender ID (1-11 characters, at least one letter) is also acceptable as `from`.
const ALPHANUMERIC_SENDER = /^(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}$/;

const TWIML_CONTENT_TYPES = new Set(['text/xml', 'application/xml', 'text/html']);

/** Throws `TwimlError` 12300 unless the media type is one Twilio accepts for TwiML (parameters ignored). */
export function checkTwimlContentType(contentType: string | null | undefined): void {
  const mediaType = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (!TWIML_CONTENT_TYPES.has(mediaType)) {
    throw new TwimlError(TWIML_CODES.invalidContentType, `Invalid Content-Type: "${contentType ?? ''}"`);
  }
}

/**
 * Interprets a webhook's HTTP answer as a TwiML reply: a 204 or an empty body means "no reply" whatever the
 * Content-Type; otherwise the Content-Type is checked (12300) and the document parsed. The caller decides
 * beforehand whether the status was a success at all.
 */
export function interpretTwimlResponse(options: {
  httpStatus: number;
  contentType: string | null;
  body: string;
  baseUrl?: string;
}): TwimlResult {
  if (options.httpStatus === 204 || options.body.trim() === '') return { messages: [], warnings: [] };
  checkTwimlContentType(options.contentType);
  return parseTwiml(options.body, { baseUrl: options.baseUrl });
}

/** Parses a TwiML document. Throws only `TwimlError` (11750 too large, 12100 parse failure). */
export function parseTwiml(xml: string, options: ParseTwimlOptions = {}): TwimlResult {
  if (Buffer.byteLength(xml, 'utf8') > MAX_TWIML_BYTES) {
    throw new TwimlError(TWIML_CODES.bodyTooLarge, `Response body too large: more than ${MAX_TWIML_BYTES} bytes`);
  }
  const result: TwimlResult = { messages: [], warnings: [] };
  if (xml.trim() === '') return result;
  const root = parseXmlDocument(xml);
  if (root.name !== 'Response') {
    throw new TwimlError(TWIML_CODES.parseFailure, `Document parse failure: root element is <${root.name}>, not <Response>`);
  }
  for (const child of root.children) {
    if (child.kind === 'text') {
      if (child.text.trim() !== '') warn(result, TWIML_CODES.schemaWarning, 'Text directly inside <Response> was ignored');
      continue;
    }
    if (child.name === 'Message') {
      const message = interpretMessage(child, result, options.baseUrl);
      if (message) result.messages.push(message);
    } else if (child.name === 'Redirect') {
      // Twilio stops at <Redirect>: verbs after it are never executed.
      const redirect = interpretRedirect(child, result, options.baseUrl);
      if (redirect) result.redirect = redirect;
      break;
    } else if (child.name === 'Sms') {
      // RestComm-Connect's verb (rcml.ts): an empty or unaddressable one stops the document; one with an
      // action sends, then the action's answer replaces the document.
      const verb = interpretSmsVerb(child, result.warnings, options.baseUrl);
      if (verb.kind === 'stop') break;
      const { statusCallback, statusCallbackMethod, ...sms } = verb.sms;
      result.messages.push({
        ...sms, media: [], dialect: 'rcml',
        ...(statusCallback === undefined ? {} : { statusCallback, method: statusCallbackMethod ?? 'POST' }),
      });
      if (verb.next) {
        result.redirect = verb.next;
        break;
      }
    } else {
      warn(result, TWIML_CODES.invalidVerb, `<${child.name}> is not supported for SMS (only <Message>, <Sms> and <Redirect>) and was ignored`);
    }
  }
  return result;
}

function warn(result: TwimlResult, code: number, message: string): void {
  result.warnings.push({ code, message });
}

/** Absolute http(s) URL, resolved against `baseUrl` when relative; `null` when unusable. */
function resolveUrl(value: string, baseUrl: string | undefined): string | null {
  const trimmed = value.trim();
  if (trimmed === '') return null;
  let url: URL;
  try {
    url = baseUrl === undefined ? new URL(trimmed) : new URL(trimmed, baseUrl);
  } catch {
    return null;
  }
  return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
}

function parseMethod(value: string | undefined, result: TwimlResult): TwimlMethod | undefined {
  if (value === undefined) return undefined;
  const upper = value.trim().toUpperCase();
  if (upper === 'GET' || upper === 'POST') return upper;
  warn(result, TWIML_CODES.invalidMethod, `Invalid method attribute "${value}"; POST is used`);
  return undefined;
}

function interpretMessage(element: XmlElement, result: TwimlResult, baseUrl: string | undefined): TwimlMessage | null {
  const attrs = element.attributes;
  for (const name of Object.keys(attrs)) {
    if (!MESSAGE_ATTRIBUTES.has(name)) warn(result, TWIML_CODES.schemaWarning, `Unknown <Message> attribute "${name}" was ignored`);
  }
  const message: TwimlMessage = { ...messageContent(element, result, baseUrl) };
  if (attrs.to !== undefined) {
    const to = attrs.to.trim();
    if (!ADDRESS.test(to)) return skip(result, TWIML_CODES.invalidTo, `Invalid 'to' attribute "${attrs.to}"`);
    message.to = to;
  }
  if (attrs.from !== undefined) {
    const from = attrs.from.trim();
    if (!ADDRESS.test(from) && !ALPHANUMERIC_SENDER.test(from)) {
      return skip(result, TWIML_CODES.invalidFrom, `Invalid 'from' attribute "${attrs.from}"`);
    }
    message.from = from;
  }
  if (message.body.trim() === '' && message.media.length === 0) {
    return skip(result, TWIML_CODES.invalidBody, '<Message> has neither a (non-blank) body nor media');
  }
  const method = parseMethod(attrs.method, result);
  if (method) message.method = method;
  for (const name of ['action', 'statusCallback'] as const) {
    const value = attrs[name];
    if (value === undefined) continue;
    const url = resolveUrl(value, baseUrl);
    if (url === null) warn(result, TWIML_CODES.invalidStatusCallback, `Invalid '${name}' attribute "${value}" was ignored`);
    else message[name] = url;
  }
  return message;
}

function skip(result: TwimlResult, code: number, message: string): null {
  warn(result, code, `${message}; the message was not sent`);
  return null;
}

/** The text is either the element's own text or, when nouns are used, the `<Body>` noun plus `<Media>` URLs. */
function messageContent(element: XmlElement, result: TwimlResult, baseUrl: string | undefined): Pick<TwimlMessage, 'body' | 'media'> {
  const nouns = element.children.filter((child): child is XmlElement => child.kind === 'element');
  if (nouns.length === 0) return { body: directText(element), media: [] };
  if (directText(element).trim() !== '') {
    warn(result, TWIML_CODES.schemaWarning, 'Text beside <Body>/<Media> nouns was ignored');
  }
  const bodies: string[] = [];
  const media: string[] = [];
  for (const noun of nouns) {
    if (noun.name === 'Body') {
      if (bodies.length > 0) warn(result, TWIML_CODES.schemaWarning, 'Only the first <Body> of a <Message> is used');
      else bodies.push(directText(noun));
    } else if (noun.name === 'Media') {
      const url = resolveUrl(directText(noun), baseUrl);
      if (url === null) warn(result, TWIML_CODES.schemaWarning, `Invalid <Media> URL "${directText(noun)}" was ignored`);
      else if (media.length >= MAX_MEDIA) warn(result, TWIML_CODES.schemaWarning, `More than ${MAX_MEDIA} <Media>; extra ignored`);
      else media.push(url);
    } else {
      warn(result, TWIML_CODES.schemaWarning, `<${noun.name}> is not allowed inside <Message> and was ignored`);
    }
  }
  return { body: bodies[0] ?? '', media };
}

function interpretRedirect(element: XmlElement, result: TwimlResult, baseUrl: string | undefined): TwimlResult['redirect'] {
  for (const name of Object.keys(element.attributes)) {
    if (name !== 'method') warn(result, TWIML_CODES.schemaWarning, `Unknown <Redirect> attribute "${name}" was ignored`);
  }
  const method = parseMethod(element.attributes.method, result) ?? 'POST';
  const url = resolveUrl(directText(element), baseUrl);
  if (url === null) {
    warn(result, TWIML_CODES.invalidUrl, `Invalid <Redirect> URL "${directText(element).trim()}"; processing stopped`);
    return undefined;
  }
  return { url, method };
}
