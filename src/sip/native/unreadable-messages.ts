// Messages that never became a transaction: unparsable ones (400), ones too large to read (413), TCP streams that
// cannot be framed. Only a request whose top Via survives can be answered (RFC 3261 §18.2.2 routes the reply by
// it), and a source outside the allow-list is never answered: telling a scanner what we are, or letting a spoofed
// UDP source use us as a reflector, is worse than silence. Every one is counted.
import type { Logger } from 'pino';
import type { SipHeaderList } from '../port.js';
import { newTag } from './identifiers.js';
import { headerLimit, type SipLimits } from './limits.js';
import type { NativeSipStats } from './native-stats.js';
import { findHeaderEnd, parseHeaderSection } from './parser.js';
import { buildResponse } from './response-builder.js';
import { serializeResponse } from './serializer.js';
import { SipParseError, getHeaderValues } from './sip-message.js';
import type { SipFramingError } from './stream-framer.js';
import { ThrottledLog } from './throttled-log.js';
import type { TransportSource } from './transports.js';
import { parseTopVia, responseTarget, type ResponseTarget } from './via.js';

export interface UnreadableMessagesOptions {
  limits: Pick<SipLimits, 'maxMessageBytes'>;
  allowedSources?: (address: string) => boolean;
  logger: Logger;
  /** The adapter's counters, updated in place. */
  counters: NativeSipStats;
  sendResponse: (bytes: Buffer, target: ResponseTarget) => void;
}

interface ErrorReply {
  bytes: Buffer;
  target: ResponseTarget;
}

export class UnreadableMessages {
  private readonly refusals: ThrottledLog;

  constructor(private readonly options: UnreadableMessagesOptions) {
    this.refusals = new ThrottledLog(options.logger);
  }

  /** 400 when a Via survives the damage (so the sender learns why), otherwise drop. */
  unparsable(error: unknown, source: TransportSource): void {
    const { counters, logger } = this.options;
    const parseError = error instanceof SipParseError ? error : undefined;
    const reason = parseError?.reason ?? String(error);
    if (!this.isAllowed(source)) return this.refuse(source, reason);
    const reply = parseError?.isRequest ? errorReply({ headers: parseError.headers, status: 400, reason, source }) : undefined;
    if (!reply) {
      counters.dropped += 1;
      logger.warn({ source, reason }, 'Unparsable SIP message dropped');
      return;
    }
    counters.badRequests += 1;
    logger.warn({ source, reason }, 'Unparsable SIP request answered 400');
    this.options.sendResponse(reply.bytes, reply.target);
  }

  /** Over the message limit, or with a header section over the header limit (a datagram is whole: known at once). */
  isOversizedDatagram(data: Buffer): boolean {
    const max = this.options.limits.maxMessageBytes;
    if (data.length > max) return true;
    const maxHeader = headerLimit(max);
    if (data.length <= maxHeader) return false;
    const bounds = findHeaderEnd(data.subarray(0, maxHeader + 4));
    return !bounds || bounds.headerEnd > maxHeader;
  }

  /** A datagram over the limits: 413 when its header section fits, otherwise dropped. */
  oversizedDatagram(data: Buffer, source: TransportSource): void {
    const max = this.options.limits.maxMessageBytes;
    const maxHeader = headerLimit(max);
    this.options.counters.oversized += 1;
    const reason = `${data.length}-byte datagram over the ${max}-byte message or ${maxHeader}-byte header limit`;
    if (!this.isAllowed(source)) return this.refuse(source, reason);
    const bounds = findHeaderEnd(data.subarray(0, maxHeader + 4));
    const head = bounds && bounds.headerEnd <= maxHeader ? data.subarray(0, bounds.headerEnd) : undefined;
    const reply = head ? replyToHead({ head, status: 413, source }) : undefined;
    this.options.logger.warn({ source, reason }, reply ? 'Oversized SIP request answered 413' : 'Oversized SIP datagram dropped');
    if (reply) this.options.sendResponse(reply.bytes, reply.target);
  }

  /** The last response on a TCP stream that cannot be framed (the transport closes it after): 413, 400 or none. */
  framingError(error: SipFramingError, source: TransportSource): Buffer | undefined {
    if (error.status === 413) this.options.counters.oversized += 1;
    else this.options.counters.tcpFramingErrors += 1;
    if (!error.head || !this.isAllowed(source)) return undefined;
    return replyToHead({ head: error.head, status: error.status, ...(error.status === 400 ? { reason: error.reason } : {}), source })?.bytes;
  }

  private isAllowed(source: TransportSource): boolean {
    return this.options.allowedSources?.(source.address) ?? true;
  }

  private refuse(source: TransportSource, reason: string): void {
    this.options.counters.refused += 1;
    this.refusals.warn('unreadable', { source, reason }, 'Unreadable SIP message from a source outside SIP_ALLOWED_SOURCES dropped unanswered');
  }
}

function errorReply(options: { headers: SipHeaderList; status: number; reason?: string; source: TransportSource }): ErrorReply | undefined {
  const { headers, status, reason, source } = options;
  let target: ResponseTarget;
  try {
    target = responseTarget(source, parseTopVia(getHeaderValues(headers, 'via')));
  } catch {
    return undefined;
  }
  const response = buildResponse(headers, { status, ...(reason === undefined ? {} : { reason }), toTag: newTag(), source });
  return { bytes: serializeResponse(response), target };
}

/** As `errorReply`, from a raw header section; none for a response (responses are never answered). */
function replyToHead(options: { head: Buffer; status: number; reason?: string; source: TransportSource }): ErrorReply | undefined {
  const { isRequest, headers } = parseHeaderSection(options.head);
  return isRequest ? errorReply({ ...options, headers }) : undefined;
}
