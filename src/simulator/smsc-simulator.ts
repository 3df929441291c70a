// The SMSC simulator: a SIP endpoint that behaves like the Restcomm SMSC Gateway towards our service
// (validation, policy-driven answers, 10-digit message ids, receipts over SIP, MO in one MESSAGE per segment),
// plus an optional SMPP server side (smpp-side.ts). Usable in-process (tests, bench) and from the CLI.
import pino, { type Logger } from 'pino';
import type { IncomingSipMessage, SipFinalResponse, SipListenAddress, SipReply } from '../sip/port.js';
import { DEFAULT_SIP_TIMERS } from '../sip/native/sip-message.js';
import { SimulatorCounters } from './simulator-counters.js';
import { buildMoParts, type MoPart, type MoRequest } from './mo-message.js';
import { checkPolicy, pickAnswer, pickLatency, type SimulatorPolicy } from './policy.js';
import { buildReceiptSip, formatMessageId, type StoredSubmit } from './receipt-message.js';
import { sendWithRetry, type DeliveryResult } from './retrying-send.js';
import { ReceivedLog, type ReceivedEntry } from './received-log.js';
import type {
  MoLoadOptions, MoLoadStats, ReceiptSettings, ReceivedMessage, SimulatorStats, SmscSimulatorOptions,
} from './simulator-types.js';
import { SipEndpoint } from './sip-endpoint.js';
import { runMoLoad } from './mo-load.js';
import { SmppSide, type SmppMoOptions } from './smpp-side.js';
import { buildSmscRequest, parseServiceUri, type ServiceTarget } from './smsc-request.js';
import { receiptWanted, validateSubmit, type AcceptedSubmit } from './submit-validation.js';
import { TimerSet } from './timer-set.js';

const HOUR_MS = 60 * 60 * 1000;
const DEFAULT_RETRY = { attempts: 3, delayMs: 1000 };

export interface SmscSimulator {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** SIP addresses actually bound (real ports when 0 was asked for). */
  boundAddresses(): SipListenAddress[];
  /** The SMPP server's address, or null without `smpp`. */
  smppAddress(): { host: string; port: number } | null;
  /** Every MESSAGE received, oldest first, with headers, arrival time and outcome. */
  received(): ReceivedMessage[];
  /** Resolves once `count` MESSAGEs (matching `filter`) have arrived; rejects after `timeoutMs`. */
  waitForReceived(options: { count: number; timeoutMs?: number; filter?: (m: ReceivedMessage) => boolean }): Promise<ReceivedMessage[]>;
  clearReceived(): void;
  policy(): SimulatorPolicy;
  setPolicy(policy: SimulatorPolicy): void;
  setReceipts(settings: Partial<ReceiptSettings>): void;
  /** One MO, one MESSAGE per segment in turn; stops at the first non-2xx, like the SMSC's per-destination queue. */
  sendMo(options: MoRequest): Promise<SipFinalResponse[]>;
  startMoLoad(options: MoLoadOptions): Promise<MoLoadStats>;
  /** deliver_sm MO to a bound ESME (our service over SMPP); resolves with each deliver_sm_resp status. */
  sendSmppMo(options: SmppMoOptions): Promise<number[]>;
  stats(): SimulatorStats;
}

export function createSmscSimulator(options: SmscSimulatorOptions): SmscSimulator {
  return new Simulator(options);
}

class Simulator implements SmscSimulator {
  private readonly logger: Logger;
  private readonly endpoint: SipEndpoint;
  private readonly service: ServiceTarget;
  private readonly timers = new TimerSet();
  private readonly counters = new SimulatorCounters();
  private readonly log = new ReceivedLog();
  private readonly waiters = new Set<() => void>();
  private readonly random: () => number;
  private readonly smpp: SmppSide | null;
  private currentPolicy: SimulatorPolicy;
  private receipts: ReceiptSettings;
  private idCounter = 0;
  private referenceCounter = 0;

  constructor(private readonly options: SmscSimulatorOptions) {
    checkPolicy(options.policy);
    this.currentPolicy = { ...options.policy };
    this.receipts = { ...options.receipts };
    this.random = options.random ?? Math.random;
    this.service = parseServiceUri(options.serviceUri);
    this.logger = (options.logger ?? pino({ enabled: false })).child({ component: 'smsc-simulator' });
    this.endpoint = new SipEndpoint({
      listen: options.sipListen,
      timers: options.sipTimers ?? DEFAULT_SIP_TIMERS,
      logger: this.logger,
      onRequest: (message, reply, bytes) => this.onRequest(message, reply, bytes),
    });
    this.smpp = options.smpp
      ? new SmppSide({
          settings: options.smpp,
          logger: this.logger,
          timers: this.timers,
          counters: this.counters,
          nextMessageNumber: () => ++this.idCounter,
          policy: () => this.currentPolicy,
          receipts: () => this.receipts,
          random: this.random,
          delivered: () => this.decideDelivery(),
          moDates: () => this.moDates(),
          forwardToService: (parts) => this.deliverToService(parts),
        })
      : null;
  }

  async start(): Promise<void> {
    this.timers.reset();
    await this.endpoint.start();
    try {
      await this.smpp?.start();
    } catch (error) {
      await this.endpoint.stop();
      throw error;
    }
    this.logger.info({ sip: this.endpoint.boundAddresses(), smpp: this.smppAddress(), serviceUri: this.options.serviceUri }, 'SMSC simulator listening');
  }

  async stop(): Promise<void> {
    this.timers.clear();
    await this.smpp?.stop();
    await this.endpoint.stop();
  }

  boundAddresses(): SipListenAddress[] {
    return this.endpoint.boundAddresses();
  }

  smppAddress(): { host: string; port: number } | null {
    return this.smpp?.address() ?? null;
  }

  received(): ReceivedMessage[] {
    return this.log.all();
  }

  waitForReceived(options: { count: number; timeoutMs?: number; filter?: (m: ReceivedMessage) => boolean }): Promise<ReceivedMessage[]> {
    const matching = (): ReceivedMessage[] => this.received().filter(options.filter ?? (() => true));
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const found = matching();
        if (found.length < options.count) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(found);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`Timed out waiting for ${options.count} MESSAGEs; got ${matching().length}`));
      }, options.timeoutMs ?? 5000);
      this.waiters.add(check);
      check();
    });
  }

  clearReceived(): void {
    this.log.clear();
  }

  policy(): SimulatorPolicy {
    return { ...this.currentPolicy };
  }

  setPolicy(policy: SimulatorPolicy): void {
    checkPolicy(policy);
    this.currentPolicy = { ...policy };
    this.logger.info({ policy }, 'SMSC simulator policy changed');
  }

  setReceipts(settings: Partial<ReceiptSettings>): void {
    this.receipts = { ...this.receipts, ...settings };
  }

  async sendMo(options: MoRequest): Promise<SipFinalResponse[]> {
    const parts = this.buildParts(options);
    this.counters.moMessage();
    const responses: SipFinalResponse[] = [];
    for (const part of parts) {
      const response = await this.sendPart(options.from, options.to, part);
      responses.push(response);
      if (response.status < 200 || response.status >= 300) break;
    }
    return responses;
  }

  startMoLoad(options: MoLoadOptions): Promise<MoLoadStats> {
    return runMoLoad({ ...options, timers: this.timers, sendMo: (mo) => this.sendMo(mo) });
  }

  async sendSmppMo(options: SmppMoOptions): Promise<number[]> {
    if (!this.smpp) throw new Error('The simulator has no SMPP side; configure `smpp`');
    return this.smpp.sendMo(options);
  }

  stats(): SimulatorStats {
    return this.counters.snapshot();
  }

  private buildParts(request: MoRequest): MoPart[] {
    this.referenceCounter = (this.referenceCounter + 1) % 256;
    return buildMoParts({ ...request, ...this.moDates(), reference: this.referenceCounter });
  }

  /** An MO is stamped with its arrival time and the SMSC's default validity (72 h). */
  private moDates(): { submitDate: Date; validityDate: Date } {
    const submitDate = new Date();
    const validityHours = this.options.moValidityHours ?? 72;
    return { submitDate, validityDate: new Date(submitDate.getTime() + validityHours * HOUR_MS) };
  }

  private async sendPart(from: string, to: string, part: MoPart): Promise<SipFinalResponse> {
    const response = await this.sendSms({ sourceUser: from, destinationUser: to, xHeaders: part.xHeaders, body: part.body });
    this.counters.moPart(response);
    return response;
  }

  /** Flow 2: an SMPP-originated message, every part retried like the SMSC retries a temporary failure. */
  private async deliverToService(parts: Array<{ from: string; to: string; part: MoPart }>): Promise<DeliveryResult> {
    let result: DeliveryResult | undefined;
    for (const { from, to, part } of parts) {
      result = await sendWithRetry({ send: () => this.sendPart(from, to, part), retry: this.receipts.retry ?? DEFAULT_RETRY, timers: this.timers });
      if (result.kind !== 'delivered') return result;
    }
    return result!;
  }

  private sendSms(sms: { sourceUser: string; destinationUser: string; xHeaders: ReadonlyArray<readonly [string, string]>; body: Buffer }): Promise<SipFinalResponse> {
    return this.endpoint.send({
      service: this.service,
      build: ({ local, branch, callId }) => buildSmscRequest({ ...sms, service: this.service, local, branch, callId }),
    });
  }

  private onRequest(message: IncomingSipMessage, reply: (answer: SipReply) => void, bytes: Buffer): void {
    if (message.method === 'OPTIONS') return this.answerOptions(reply);
    if (message.method !== 'MESSAGE') return reply({ status: 405, headers: [['Allow', 'MESSAGE, OPTIONS']] });
    const record = this.log.add(bytes, message.source, Date.now());
    this.counters.receivedMessage();
    for (const wake of [...this.waiters]) wake();
    const verdict = validateSubmit(message);
    if (verdict.kind === 'no-response') {
      record.outcome = { kind: 'no-response', reason: verdict.reason };
      this.counters.noResponse();
      this.logger.warn({ callId: message.callId, reason: verdict.reason }, 'MESSAGE left unanswered, as the SMSC does');
    } else if (verdict.kind === 'reject') {
      record.outcome = { kind: 'rejected', status: 500, reason: verdict.reason };
      this.counters.answeredWith(500);
      reply({ status: 500 });
    } else {
      this.answerByPolicy(record, verdict.submit, reply);
    }
  }

  /** OPTIONS probes see an outage (silence) but not the per-message refusals. */
  private answerOptions(reply: (answer: SipReply) => void): void {
    if (pickAnswer(this.currentPolicy, this.random) !== 'silence') reply({ status: 200, headers: [['Allow', 'MESSAGE, OPTIONS']] });
  }

  private answerByPolicy(record: ReceivedEntry, submit: AcceptedSubmit, reply: (answer: SipReply) => void): void {
    const answer = pickAnswer(this.currentPolicy, this.random);
    const act = (): void => {
      if (answer === 'silence') {
        record.outcome = { kind: 'silence' };
        this.counters.silenced();
        return;
      }
      // Stored before the 200 goes out: the receipt id exists by the time our service learns "accepted".
      if (answer < 300) this.store(record, submit);
      record.outcome = { kind: 'answered', status: answer };
      this.counters.answeredWith(answer);
      reply({ status: answer });
    };
    const latency = pickLatency(this.currentPolicy, this.random);
    if (latency > 0) this.timers.later(latency, act);
    else act();
  }

  private store(record: ReceivedEntry, submit: AcceptedSubmit): void {
    const stored: StoredSubmit = {
      messageId: this.nextMessageId(),
      sourceAddress: submit.sourceAddress,
      destinationAddress: submit.destinationAddress,
      text: submit.text,
      submitDate: new Date(record.arrivedAtMs),
    };
    record.messageId = stored.messageId;
    this.counters.storedMessage();
    this.timers.later(this.receipts.delayMs, () => void this.emitReceipt(stored, submit.registeredDelivery));
  }

  private async emitReceipt(stored: StoredSubmit, registeredDelivery: number): Promise<void> {
    const delivered = this.decideDelivery();
    if (!receiptWanted(registeredDelivery, delivered)) return this.counters.receiptSkipped();
    const sip = buildReceiptSip(stored, { delivered, err: this.receipts.undeliveredErr ?? 1, doneDate: new Date() });
    this.counters.receiptSent();
    const result = await sendWithRetry({
      send: () => this.sendSms(sip),
      retry: this.receipts.retry ?? DEFAULT_RETRY,
      timers: this.timers,
      onRetry: () => this.counters.receiptRetried(),
    });
    this.counters.receiptDone(result.kind === 'delivered');
    if (result.kind !== 'delivered') {
      this.logger.warn({ messageId: stored.messageId, status: result.last.status, tries: result.tries }, 'Receipt not accepted by the service');
    }
  }

  private decideDelivery(): boolean {
    const outcome = this.receipts.outcome;
    if (outcome === 'delivered') return true;
    if (outcome === 'undelivered') return false;
    return this.random() * 100 < outcome.deliveredPercent;
  }

  private nextMessageId(): string {
    this.idCounter += 1;
    return formatMessageId(this.idCounter);
  }
}
