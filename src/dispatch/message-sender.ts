// What happens to one claimed message between the claim and its outcome: validity check, route, throttles,
// the gateway call. Never throws: every path ends in a DispatchOutcome.
import type { SmscGateway, SmscRoute, SubmitResult } from '../messaging/smsc-gateway.js';
import type { ClaimedMessage } from './claim.js';
import type { DispatchOutcome } from './outcome-plan.js';
import type { KeyedTokenBuckets, TokenBucket } from './throttle.js';

export interface MessageSenderOptions {
  gateways: Partial<Record<SmscRoute, SmscGateway>>;
  rate: TokenBucket;
  senderRates: KeyedTokenBuckets;
  /** The longest a message may wait in memory for its sender's token; beyond it, it goes back to the queue. */
  senderHoldMs: number;
  /** Delay of a message handed back because its gateway is not ready. */
  notReadyDelayMs: number;
  /** Aborted at shutdown: throttled messages stop waiting and go back to the queue. */
  signal: AbortSignal;
  now: () => number;
}

export async function sendClaimedMessage(message: ClaimedMessage, options: MessageSenderOptions): Promise<DispatchOutcome> {
  if (message.expired) return { kind: 'expired', message };
  const gateway = options.gateways[message.route];
  if (!gateway) return submitted(message, temporary(`no gateway configured for route ${message.route}`), options);
  if (!gateway.isReady()) return { kind: 'deferred', message, delayMs: options.notReadyDelayMs, reason: 'gateway not ready' };
  if (options.senderRates.estimateWaitMs(message.from) > options.senderHoldMs) {
    return { kind: 'deferred', message, delayMs: options.senderHoldMs, reason: 'sender rate' };
  }
  // Sender first: a global token taken while waiting for the sender's would be wasted, and the global rate is
  // the one the SMSC enforces, so it is taken last, right before the submission.
  await options.senderRates.take(message.from, options.signal);
  await options.rate.take(options.signal);
  if (options.signal.aborted) return { kind: 'deferred', message, delayMs: 0, reason: 'shutdown' };
  let result: SubmitResult;
  try {
    result = await gateway.submit(toOutboundSms(message));
  } catch (error) {
    // The port promises not to throw; if an adapter does anyway, the message is retried rather than lost.
    result = temporary(`gateway error: ${error instanceof Error ? error.message : String(error)}`);
  }
  return submitted(message, result, options);
}

function submitted(message: ClaimedMessage, result: SubmitResult, options: MessageSenderOptions): DispatchOutcome {
  return { kind: 'submitted', message, result, at: new Date(options.now()) };
}

function temporary(reason: string): SubmitResult {
  return { kind: 'temporary-failure', reason, detail: {} };
}

function toOutboundSms(m: ClaimedMessage) {
  return {
    sid: m.sid,
    accountSid: m.accountSid,
    to: m.to,
    from: m.from,
    body: m.body,
    coding: m.coding,
    udh: m.udh,
    messageClass: m.messageClass,
    validUntil: m.validUntil,
    receiptRequested: m.receiptRequested,
    sipHeaders: m.sipHeaders ?? null,
  };
}
