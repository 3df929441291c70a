// A strict SIP message parser working on Buffers (RFC 3261 §7). Strict where a mistake would corrupt a message
// (start line, header syntax, CSeq, Content-Length), tolerant where the SMSC is known to be odd (any header
// case, compact forms, folded lines, From without tag).
import type { SipHeaderList } from '../port.js';
import { SipParseError, getHeaderValues, type SipMessage } from './sip-message.js';

const TOKEN = /^[A-Za-z0-9\-.!%*_+`'~]+$/;
const REQUEST_LINE = /^([A-Za-z0-9\-.!%*_+`'~]+) (\S+) SIP\/2\.0$/;
const STATUS_LINE = /^SIP\/2\.0 ([1-6]\d\d) ?(.*)$/;
const CSEQ = /^(\d{1,10})\s+([A-Za-z0-9\-.!%*_+`'~]+)$/;

/** Where the header section ends and the body starts, or undefined when there is no blank line yet. */
export function findHeaderEnd(data: Buffer): { headerEnd: number; bodyStart: number } | undefined {
  const crlf = data.indexOf('\r\n\r\n');
  if (crlf >= 0) return { headerEnd: crlf, bodyStart: crlf + 4 };
  const lf = data.indexOf('\n\n');
  if (lf >= 0) return { headerEnd: lf, bodyStart: lf + 2 };
  return undefined;
}

export function parseSipMessage(data: Buffer): SipMessage {
  const bounds = findHeaderEnd(data);
  const headerText = data.subarray(0, bounds?.headerEnd ?? data.length).toString('utf8');
  const lines = headerText.split(/\r?\n/);
  const startLine = lines.shift() ?? '';
  const request = REQUEST_LINE.exec(startLine);
  const status = request ? null : STATUS_LINE.exec(startLine);
  const isRequest = request !== null;
  const headers = parseHeaderLines(lines, isRequest);
  const fail = (reason: string): never => {
    throw new SipParseError(reason, isRequest, headers);
  };
  if (!request && !status) fail('Bad start line');
  if (!bounds) fail('Missing empty line after headers');
  const body = extractBody(data.subarray(bounds!.bodyStart), headers, fail);
  if (request) {
    checkRequestHeaders(request[1]!, headers, fail);
    return { kind: 'request', method: request[1]!, uri: request[2]!, headers, body };
  }
  checkCseq(headers, undefined, fail);
  if (getHeaderValues(headers, 'via').length === 0) fail('Missing Via');
  return { kind: 'response', status: Number(status![1]), reason: status![2] ?? '', headers, body };
}

/**
 * The start line's kind and the header lines of a header section that has no usable body (a message refused for
 * its size or framing), for answering it. Header lines after a bad one are left out.
 */
export function parseHeaderSection(head: Buffer): { isRequest: boolean; headers: SipHeaderList } {
  const lines = head.toString('utf8').split(/\r?\n/);
  const isRequest = REQUEST_LINE.test(lines.shift() ?? '');
  try {
    return { isRequest, headers: parseHeaderLines(lines, isRequest) };
  } catch (error) {
    if (error instanceof SipParseError) return { isRequest, headers: error.headers };
    throw error;
  }
}

/** Unfolds continuation lines and splits `name: value`. Stops at the first bad line, keeping what came before. */
function parseHeaderLines(lines: string[], isRequest: boolean): SipHeaderList {
  const headers: Array<[string, string]> = [];
  for (const line of lines) {
    const last = headers[headers.length - 1];
    if ((line.startsWith(' ') || line.startsWith('\t')) && last) {
      last[1] = `${last[1]} ${line.trim()}`.trim();
      continue;
    }
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon).trim() : '';
    if (!TOKEN.test(name)) throw new SipParseError(`Bad header line: ${line.slice(0, 40)}`, isRequest, headers);
    headers.push([name, line.slice(colon + 1).trim()]);
  }
  return headers;
}

function extractBody(rest: Buffer, headers: SipHeaderList, fail: (reason: string) => never): Buffer {
  const declared = getHeaderValues(headers, 'content-length');
  if (declared.length === 0) return rest;
  if (declared.length > 1) fail('Multiple Content-Length headers');
  if (!/^\d{1,9}$/.test(declared[0]!)) fail('Bad Content-Length');
  const length = Number(declared[0]);
  if (length > rest.length) fail('Content-Length larger than the message body');
  // RFC 3261 §18.3: bytes beyond Content-Length in a datagram are discarded.
  return rest.subarray(0, length);
}

function checkRequestHeaders(method: string, headers: SipHeaderList, fail: (reason: string) => never): void {
  for (const name of ['via', 'from', 'to', 'call-id']) {
    const values = getHeaderValues(headers, name);
    if (values.length === 0 || values[0] === '') fail(`Missing ${name === 'call-id' ? 'Call-ID' : capitalise(name)}`);
  }
  checkCseq(headers, method, fail);
  const maxForwards = getHeaderValues(headers, 'max-forwards')[0];
  if (maxForwards !== undefined && !/^\d{1,3}$/.test(maxForwards)) fail('Bad Max-Forwards');
}

function checkCseq(headers: SipHeaderList, method: string | undefined, fail: (reason: string) => never): void {
  const values = getHeaderValues(headers, 'cseq');
  if (values.length !== 1) fail(values.length === 0 ? 'Missing CSeq' : 'Multiple CSeq headers');
  const match = CSEQ.exec(values[0]!);
  if (!match || (method !== undefined && match[2] !== method)) fail('Bad CSeq Header');
}

function capitalise(value: string): string {
  return value.charAt(0).toUpperCase() + value.slice(1);
}
