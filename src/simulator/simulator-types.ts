// The simulator's public shapes: options, what it records, and its counters.
import type { Logger } from 'pino';
import type { IncomingSipMessage, SipListenAddress } from '../sip/port.js';
import type { SipTimers } from '../sip/native/sip-message.js';
import type { SimulatorPolicy } from './policy.js';
import type { SmppMessageIdStyle } from './receipt-message.js';

export type ReceiptOutcomeSetting = 'delivered' | 'undelivered' | { deliveredPercent: number };

export interface ReceiptSettings {
  /** Time between storing a message (our 2xx) and emitting its receipt. */
  delayMs: number;
  outcome: ReceiptOutcomeSetting;
  /** err: of UNDELIV receipts for simulated handset failures (default 1, "unknown subscriber"). */
  undeliveredErr?: number;
  /** Re-sends of a receipt the service answered 3xx/4xx or not at all (default 3, 1000 ms apart). */
  retry?: { attempts: number; delayMs: number };
}

export interface SmppAccountSetting {
  systemId: string;
  password: string;
  /**
   * 'sip' (default): a third-party ESME; its submits go to our service over SIP as MO with X-SMSC-ID (flow 2).
   * 'simulated': our service is the ESME; submits are answered by the policy and end in a simulated receipt.
   */
  delivery?: 'sip' | 'simulated';
}

export interface SmppSettings {
  /** The SMPP server always binds 127.0.0.1; port 0 picks a free one. */
  listen: { host: string; port: number };
  accounts: SmppAccountSetting[];
  /** How submit_sm_resp spells message ids (receipt-message.ts): 'padded' (default), 'decimal' or 'hex'. */
  messageIds?: SmppMessageIdStyle;
}

export interface SmscSimulatorOptions {
  sipListen: SipListenAddress[];
  /** Where MO and receipts go, e.g. `sip:127.0.0.1:5070;transport=udp`. */
  serviceUri: string;
  policy: SimulatorPolicy;
  receipts: ReceiptSettings;
  smpp?: SmppSettings;
  /** The SMSC JVM's zone for its date headers and receipt dates; only UTC is supported. */
  timeZone?: 'UTC';
  /** SIP timers of the simulator's own client transactions (shrink them in tests). */
  sipTimers?: SipTimers;
  /** Default validity the SMSC stamps on MO (X-SMS-VALIDITY = submit + this); 72 h like the SMSC. */
  moValidityHours?: number;
  logger?: Logger;
  /** [0, 1) source for policy mixes and delivered percentages; Math.random by default. */
  random?: () => number;
}

export type ReceivedOutcome =
  | { kind: 'pending' }
  | { kind: 'no-response'; reason: string }
  | { kind: 'rejected'; status: 500; reason: string }
  | { kind: 'silence' }
  | { kind: 'answered'; status: number };

/** A MESSAGE the simulator received, with its arrival time and what the simulated SMSC did with it. */
export interface ReceivedMessage extends IncomingSipMessage {
  arrivedAt: Date;
  /** The body read as UTF-8, as the SMSC reads it. */
  text: string;
  outcome: ReceivedOutcome;
  /** The SMSC message id, when the message was stored (answered 2xx). */
  messageId: string | null;
}

export interface SimulatorStats {
  received: number;
  /** Final statuses sent, by status. */
  answered: Record<string, number>;
  /** No response on purpose (policy) or by the SMSC's exception path (validation). */
  silenced: number;
  noResponse: number;
  stored: number;
  receipts: { sent: number; acknowledged: number; failed: number; retries: number; skipped: number };
  mo: { messages: number; parts: number; responses: Record<string, number> };
  smpp: { binds: number; submits: number; delivers: number; receipts: number };
}

export interface MoLoadOptions {
  ratePerSecond: number;
  count: number;
  from: string;
  to: string;
  text: string;
}

export interface MoLoadStats {
  messages: number;
  /** Messages whose parts were all answered 2xx. */
  succeeded: number;
  failed: number;
  /** Final statuses of every part, by status (local 408s included). */
  responses: Record<string, number>;
  elapsedMs: number;
}
