// The server side of the native adapter: server transactions, source filtering, OPTIONS/405 answers and the
// call into the application's MESSAGE handler.
import type { Logger } from 'pino';
import { getHeader, type IncomingMessageHandler, type IncomingSipMessage, type SipReply } from '../port.js';
import { newTag } from './identifiers.js';
import { buildResponse } from './response-builder.js';
import { serializeResponse } from './serializer.js';
import { ServerTransaction } from './server-transaction.js';
import { ThrottledLog } from './throttled-log.js';
import type { SipRequest, SipTimers } from './sip-message.js';
import { parseNameAddr, userOf } from './sip-uri.js';
import type { TransportSource } from './transports.js';
import { MAGIC_COOKIE, responseTarget, type ResponseTarget, type Via } from './via.js';

const ALLOW: [string, string] = ['Allow', 'MESSAGE, OPTIONS'];

export interface InboundOptions {
  timers: SipTimers;
  logger: Logger;
  allowedSources?: (address: string) => boolean;
  /** Sends response bytes to where the request's responses go (RFC 3261 §18.2.2, see `responseTarget`). */
  sendResponse: (bytes: Buffer, target: ResponseTarget) => void;
}

export class InboundRequests {
  private readonly transactions = new Map<string, ServerTransaction>();
  private handler: IncomingMessageHandler | undefined;
  private readonly refusals: ThrottledLog;

  constructor(private readonly options: InboundOptions) {
    this.refusals = new ThrottledLog(options.logger);
  }

  setHandler(handler: IncomingMessageHandler): void {
    this.handler = handler;
  }

  /** Handles a parsed request; `via` is its already-parsed top Via. */
  receive(request: SipRequest, via: Via, source: TransportSource): void {
    if (request.method === 'ACK') return; // never answered (RFC 3261 §17.2.3 has no ACK for non-INVITE)
    const key = transactionKey(request, via);
    const existing = this.transactions.get(key);
    if (existing) {
      existing.receiveRetransmission();
      return;
    }
    const transaction = this.open(detached(key), responseTarget(source, via));
    const toTag = newTag();
    const respond = (reply: SipReply): void => {
      const response = buildResponse(request.headers, { ...reply, toTag, source });
      transaction.respond(reply.status, serializeResponse(response));
    };
    this.dispatch(request, source, respond);
  }

  /**
   * A completed transaction is kept for Timer J (32 s over UDP) only to answer retransmissions, so its callbacks
   * are created here, away from `receive`: closures share their creating function's scope, and one made in
   * `receive` would keep the parsed request and its datagram alive for those 32 s. What stays is the key, where
   * to answer, and (in the transaction) the serialized last response.
   */
  private open(key: string, target: ResponseTarget): ServerTransaction {
    const transaction = new ServerTransaction({
      reliable: target.transport === 'tcp',
      timers: this.options.timers,
      send: (bytes) => this.options.sendResponse(bytes, target),
      onTerminated: () => this.transactions.delete(key),
    });
    this.transactions.set(key, transaction);
    return transaction;
  }

  /** Ends all server transactions (adapter stopping). */
  clear(): void {
    for (const transaction of [...this.transactions.values()]) transaction.terminate();
  }

  private dispatch(request: SipRequest, source: TransportSource, respond: (reply: SipReply) => void): void {
    const { allowedSources } = this.options;
    if (allowedSources && !allowedSources(source.address)) {
      // Throttled: a flood of well-formed requests from outside must not become a flood of log lines.
      this.refusals.warn('forbidden', { source, method: request.method }, 'SIP request from a source outside SIP_ALLOWED_SOURCES; answering 403');
      respond({ status: 403 });
    } else if (request.method === 'OPTIONS') {
      respond({ status: 200, headers: [ALLOW, ['Accept', 'text/plain']] });
    } else if (request.method !== 'MESSAGE') {
      respond({ status: 405, headers: [ALLOW] });
    } else {
      void this.callHandler(request, source).then(respond);
    }
  }

  private async callHandler(request: SipRequest, source: TransportSource): Promise<SipReply> {
    const { logger } = this.options;
    if (!this.handler) {
      // 4xx, not 5xx: the SMSC retries 4xx later but drops a message for good on 5xx.
      logger.warn({ callId: getHeader(request.headers, 'call-id') }, 'SIP MESSAGE received before a handler was registered');
      return { status: 480 };
    }
    try {
      const reply = await this.handler(toIncomingMessage(request, source));
      if (!Number.isInteger(reply.status) || reply.status < 200 || reply.status > 699) {
        throw new Error(`Handler returned non-final status ${reply.status}`);
      }
      return reply;
    } catch (error) {
      logger.error({ err: error, callId: getHeader(request.headers, 'call-id') }, 'SIP MESSAGE handler failed; answering 500');
      return { status: 500 };
    }
  }
}

/** §17.2.3: branch + sent-by + method, or the RFC 2543 identifiers when the branch lacks the magic cookie. */
function transactionKey(request: SipRequest, via: Via): string {
  const branch = via.params.branch;
  if (branch?.startsWith(MAGIC_COOKIE)) return `${branch}|${via.host}:${via.port ?? ''}|${request.method}`;
  const from = getHeader(request.headers, 'from') ?? '';
  let fromTag = '';
  try {
    fromTag = parseNameAddr(from).params.tag ?? '';
  } catch {
    fromTag = '';
  }
  const callId = getHeader(request.headers, 'call-id');
  const cseq = getHeader(request.headers, 'cseq');
  return `2543|${callId}|${cseq}|${fromTag}|${request.uri}`;
}

/**
 * A copy of `text` made of its own characters. A key built from header values is a rope of substrings, and V8 keeps
 * each substring as a view of the whole header section it was cut from: kept in the map for Timer J, the key
 * would keep every request's header text alive for 32 s.
 */
function detached(text: string): string {
  return Buffer.from(text, 'utf8').toString('utf8');
}

export function toIncomingMessage(request: SipRequest, source: TransportSource): IncomingSipMessage {
  const from = getHeader(request.headers, 'from') ?? '';
  const to = getHeader(request.headers, 'to') ?? '';
  return {
    method: request.method,
    requestUri: request.uri,
    from,
    to,
    fromUser: userOf(from),
    toUser: userOf(to),
    callId: getHeader(request.headers, 'call-id') ?? '',
    cseq: getHeader(request.headers, 'cseq') ?? '',
    headers: request.headers,
    body: request.body,
    source: { ...source },
  };
}
