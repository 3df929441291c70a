// The simulator's SMPP server side, on src/smpp/smsc-server.ts. Two kinds of account:
// - 'sip' (flow 2 of architecture.md): a third-party ESME submits; the SMSC answers submit_sm_resp with its id,
//   sends the message to our service over SIP as an MO with X-SMSC-ID, and turns our answer into a deliver_sm
//   receipt for the ESME: 2xx -> DELIVRD, 5xx/6xx -> UNDELIV err:194, retries exhausted -> UNDELIV err:228.
// - 'simulated': our service is the ESME; submit_sm is answered by the policy (latency, silence, 4xx -> THROTTLED,
//   5xx -> SUBMITFAIL) and, when accepted, ends in a receipt after receipts.delayMs with the configured outcome.
// It can also push MO deliver_sm to a bound ESME (sendMo).
import type { Logger } from 'pino';
import { splitUserData, udhToHex } from '../encoding/index.js';
import { buildMoDelivers, buildReceiptDeliver } from '../smpp/deliver-builder.js';
import { bufferField, numberField, stringField, type SmppPdu } from '../smpp/smpp-lib.js';
import { createSmscServer, type SmscServer, type SmscSession, type SmscSubmit } from '../smpp/smsc-server.js';
import type { SmsAlphabet } from '../smpp/submit-builder.js';
import { decodeUserData } from '../smpp/user-data-text.js';
import { moHeaders, type MoPart } from './mo-message.js';
import { pickAnswer, pickLatency, type SimulatorPolicy } from './policy.js';
import { formatSmppMessageId, smppReceiptTextId } from './receipt-message.js';
import type { DeliveryResult } from './retrying-send.js';
import type { SimulatorCounters } from './simulator-counters.js';
import type { ReceiptSettings, SmppSettings } from './simulator-types.js';
import { receiptWanted } from './submit-validation.js';
import type { TimerSet } from './timer-set.js';

const ESME_RTHROTTLED = 0x58;
const ESME_RSUBMITFAIL = 0x45;
const ESM_CLASS_UDHI = 0x40;
const MAX_TIMER_MS = 2 ** 31 - 1;
const SIP_ERR_PERMANENT = 194; // SC_SYSTEM_ERROR, what the SMSC reports for a SIP 5xx/6xx (spec §6.2)
const SIP_ERR_EXPIRED = 228; // VALIDITY_PERIOD_EXPIRED

export interface SmppSideDeps {
  settings: SmppSettings;
  logger: Logger;
  timers: TimerSet;
  counters: SimulatorCounters;
  /** The simulator's message sequence (shared with the SIP side); formatted here per `settings.messageIds`. */
  nextMessageNumber: () => number;
  policy: () => SimulatorPolicy;
  receipts: () => ReceiptSettings;
  random: () => number;
  /** Draws a simulated handset outcome from the receipt settings. */
  delivered: () => boolean;
  /** MO dates (submit time now, validity as configured). */
  moDates: () => { submitDate: Date; validityDate: Date };
  forwardToService: (parts: Array<{ from: string; to: string; part: MoPart }>) => Promise<DeliveryResult>;
}

export interface SmppMoOptions {
  /** The bound ESME to deliver to (first bound session when absent). */
  systemId?: string;
  from: string;
  to: string;
  text: string;
  /** 0 GSM 7-bit (default), 1 8-bit, 2 UCS-2. */
  coding?: SmsAlphabet;
  /** How long texts are numbered: UDH (default) or SAR TLVs. */
  concatenation?: 'udh' | 'sar';
}

interface DecodedSubmit {
  from: string;
  to: string;
  fromTon: number;
  text: string;
  body: Buffer;
  coding: number;
  udhHex: string | null;
  registeredDelivery: number;
}

export class SmppSide {
  private readonly server: SmscServer;
  private bound: { host: string; port: number } | null = null;

  constructor(private readonly deps: SmppSideDeps) {
    this.server = createSmscServer({
      accounts: deps.settings.accounts.map(({ systemId, password }) => ({ systemId, password })),
      port: deps.settings.listen.port,
      nextMessageId: () => formatSmppMessageId(deps.nextMessageNumber(), deps.settings.messageIds ?? 'padded'),
      logger: deps.logger,
      onBind: () => deps.counters.smpp('binds'),
      onSubmit: (submit) => this.onSubmit(submit),
    });
  }

  async start(): Promise<void> {
    this.bound = await this.server.listen();
  }

  async stop(): Promise<void> {
    if (this.bound === null) return;
    this.bound = null;
    await this.server.close();
  }

  address(): { host: string; port: number } | null {
    return this.bound === null ? null : { ...this.bound };
  }

  async sendMo(options: SmppMoOptions): Promise<number[]> {
    const session = this.sessionFor(options.systemId);
    if (!session) throw new Error(`No bound ESME${options.systemId ? ` with system_id ${options.systemId}` : ''} to deliver to`);
    const delivers = buildMoDelivers({
      from: options.from, to: options.to, text: options.text, coding: options.coding ?? 0,
      longMessageMode: 'udh', bodyEncoding: 'utf-8', concatenation: options.concatenation,
    });
    const statuses: number[] = [];
    for (const deliver of delivers) {
      statuses.push(await session.deliver(deliver));
      this.deps.counters.smpp('delivers');
    }
    return statuses;
  }

  private async onSubmit(submit: SmscSubmit): Promise<{ commandStatus?: number } | void> {
    this.deps.counters.smpp('submits');
    const account = this.deps.settings.accounts.find((a) => a.systemId === submit.session.systemId);
    const decoded = decodeSubmit(submit.pdu);
    const submitDate = new Date();
    if ((account?.delivery ?? 'sip') === 'sip') {
      // After the submit_sm_resp: the SMSC stores first, then delivers.
      this.deps.timers.later(0, () => void this.forward(submit, decoded, submitDate));
      return;
    }
    const status = await this.answerByPolicy();
    if (status === 0) this.deps.timers.later(this.deps.receipts().delayMs, () => void this.simulatedReceipt(submit, decoded, submitDate));
    return { commandStatus: status };
  }

  /** submit_sm_resp status from the policy; silence never answers (until stop). */
  private async answerByPolicy(): Promise<number> {
    const policy = this.deps.policy();
    const answer = pickAnswer(policy, this.deps.random);
    const latency = pickLatency(policy, this.deps.random);
    if (latency > 0) await this.deps.timers.sleep(latency);
    if (answer === 'silence') {
      await this.deps.timers.sleep(MAX_TIMER_MS);
      return ESME_RSUBMITFAIL;
    }
    if (answer < 300) return 0;
    return answer < 500 ? ESME_RTHROTTLED : ESME_RSUBMITFAIL;
  }

  private async forward(submit: SmscSubmit, decoded: DecodedSubmit, submitDate: Date): Promise<void> {
    const dates = this.deps.moDates();
    const part: MoPart = {
      sequence: 1,
      text: decoded.text,
      body: decoded.body,
      udhHex: decoded.udhHex,
      xHeaders: moHeaders({ ...dates, coding: decoded.coding, smscId: submit.session.systemId ?? undefined, udhHex: decoded.udhHex }),
    };
    const result = await this.deps.forwardToService([{ from: decoded.from, to: decoded.to, part }]);
    const delivered = result.kind === 'delivered';
    const err = delivered ? 0 : result.kind === 'permanent' ? SIP_ERR_PERMANENT : SIP_ERR_EXPIRED;
    await this.sendReceipt(submit, decoded, { delivered, err, submitDate });
  }

  private async simulatedReceipt(submit: SmscSubmit, decoded: DecodedSubmit, submitDate: Date): Promise<void> {
    const delivered = this.deps.delivered();
    await this.sendReceipt(submit, decoded, { delivered, err: this.deps.receipts().undeliveredErr ?? 1, submitDate });
  }

  private async sendReceipt(submit: SmscSubmit, decoded: DecodedSubmit, outcome: { delivered: boolean; err: number; submitDate: Date }): Promise<void> {
    if (!receiptWanted(decoded.registeredDelivery, outcome.delivered)) return;
    const session = submit.session.isBound() ? submit.session : this.sessionFor(submit.session.systemId ?? undefined);
    if (!session) {
      this.deps.logger.warn({ messageId: submit.messageId }, 'SMPP receipt dropped: the ESME is no longer bound');
      return;
    }
    const params = buildReceiptDeliver({
      messageId: submit.messageId,
      textId: smppReceiptTextId(submit.messageId, this.deps.settings.messageIds ?? 'padded'),
      originalFrom: decoded.fromTon === 1 && /^\d+$/.test(decoded.from) ? `+${decoded.from}` : decoded.from,
      originalTo: decoded.to,
      stat: outcome.delivered ? 'DELIVRD' : 'UNDELIV',
      err: String(outcome.delivered ? 0 : outcome.err).padStart(3, '0'),
      submitDate: outcome.submitDate,
      doneDate: new Date(),
      originalText: decoded.text,
    });
    try {
      const status = await session.deliver(params);
      this.deps.counters.smpp('receipts');
      if (status !== 0) this.deps.logger.warn({ messageId: submit.messageId, status }, 'ESME refused an SMPP receipt');
    } catch (error) {
      this.deps.logger.warn({ err: error, messageId: submit.messageId }, 'SMPP receipt could not be delivered');
    }
  }

  private sessionFor(systemId: string | undefined): SmscSession | undefined {
    return this.server.sessions().find((s) => s.isBound() && (systemId === undefined || s.systemId === systemId));
  }
}

/** What the SMSC stores from a submit_sm: text by data_coding (UTF-8 for dc 0/8, RestComm's default), the UDH. */
function decodeSubmit(pdu: SmppPdu): DecodedSubmit {
  const dataCoding = numberField(pdu, 'data_coding');
  const shortMessage = bufferField(pdu, 'short_message') ?? Buffer.alloc(0);
  const payload = bufferField(pdu, 'message_payload');
  let userData = shortMessage.length === 0 && payload ? payload : shortMessage;
  let udhHex: string | null = null;
  if ((numberField(pdu, 'esm_class') & ESM_CLASS_UDHI) !== 0 && userData.length > 0) {
    const split = splitUserData(userData);
    udhHex = udhToHex(split.udh.bytes);
    userData = Buffer.from(split.payload);
  }
  const coding = dataCoding === 0x08 ? 2 : dataCoding === 0x04 || dataCoding === 0x02 ? 1 : 0;
  const text = decodeUserData(userData, dataCoding, 'utf-8').text;
  return {
    from: stringField(pdu, 'source_addr'),
    to: stringField(pdu, 'destination_addr'),
    fromTon: numberField(pdu, 'source_addr_ton'),
    text,
    // 8-bit data travels as its raw bytes; text codings as UTF-8 (spec §5.3, default settings).
    body: coding === 1 ? userData : Buffer.from(text, 'utf8'),
    coding,
    udhHex,
    registeredDelivery: numberField(pdu, 'registered_delivery'),
  };
}
