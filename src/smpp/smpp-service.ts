// The SMPP road as the composition root sees it: one ESME client per configured bind, the gateway over them and
// the deliver_sm handler on each. start() waits briefly for the binds so that refused credentials stop the
// process at once, but an SMSC that is down does not: the clients keep reconnecting, the dispatcher holds SMPP
// traffic while no session is bound (`isReady`), and it flows as soon as one is.
import type { Logger } from 'pino';
import type { Config } from '../config/index.js';
import type { ReceiptPolicy } from '../messaging/apply-receipt.js';
import type { ReceiptBatcher } from '../messaging/receipt-batch.js';
import type { SmscGateway } from '../messaging/smsc-gateway.js';
import type { InboundWebhookPolicy } from '../webhooks/enqueue-webhook.js';
import { isCredentialRejection } from './command-status.js';
import { SmppCommandError } from './errors.js';
import { createEsmeClient, type EsmeClient } from './esme-session.js';
import { createSmppGateway } from './smpp-gateway.js';
import { createSmppInboundHandler } from './smpp-inbound.js';
import type { Database } from '../store/database.js';
import type { RewriteRule } from '../messaging/number-rewrite.js';

export interface SmppServiceOptions {
  db: Database;
  smpp: Config['smpp'];
  logger: Logger;
  reassemblyTimeoutMs: number;
  /** SMSC_NUMBER_REWRITE: the `smpp` rules, applied to submit_sm addresses and read back from deliver_sm. */
  numberRewrite?: readonly RewriteRule[];
  webhookPolicy?: InboundWebhookPolicy;
  receiptPolicy?: ReceiptPolicy;
  /** Where receipts are applied (the batcher shared with SIP); by default each bind's handler has its own. */
  receipts?: Pick<ReceiptBatcher, 'applySmppReceipt'>;
  /** Told of each submit_sm_resp, so that a receipt arriving before its outcome is written waits for it. */
  onSubmitAnswer?: (message: { sid: string; to: string; from: string }, smscMessageId: string) => void;
  onStored?: () => void;
  /** How long start() waits for a first answer to the binds (default 2 000 ms). */
  startWaitMs?: number;
  /** Reconnect backoff (default 1 s doubling to 60 s, with jitter). */
  reconnect?: { initialDelayMs: number; maxDelayMs: number };
}

export interface SmppService {
  gateway: SmscGateway;
  /** Binds every session; rejects only when the SMSC refuses a bind's credentials. */
  start(): Promise<void>;
  /** Lets outstanding submits and deliver handlers settle, unbinds every session. */
  stop(): Promise<void>;
  /** Sessions bound now, of all configured. */
  boundSessions(): { bound: number; total: number };
}

export function createSmppService(options: SmppServiceOptions): SmppService {
  const { smpp } = options;
  const clients: EsmeClient[] = smpp.binds.map((bind, index) => {
    const logger = options.logger.child({ component: 'smpp', bind: index + 1, systemId: bind.systemId, host: bind.host, port: bind.port });
    const client = createEsmeClient({
      host: bind.host, port: bind.port, systemId: bind.systemId, password: bind.password, systemType: bind.systemType,
      tls: bind.tls,
      windowSize: bind.window,
      requestTimeoutMs: smpp.requestTimeoutMs,
      // A submit waits for a window slot no longer than for its answer, so a claim's lease outlives both.
      queueTimeoutMs: smpp.requestTimeoutMs,
      enquireLinkIntervalMs: smpp.enquireLinkS * 1000,
      deliver: { bodyEncoding: smpp.bodyEncoding },
      logger,
      ...(options.reconnect ? { reconnect: options.reconnect } : {}),
    });
    client.onDeliver(createSmppInboundHandler({
      db: options.db, logger, systemId: bind.systemId, reassemblyTimeoutMs: options.reassemblyTimeoutMs,
      ...(options.numberRewrite ? { numberRewrite: options.numberRewrite } : {}),
      moDedupeMs: smpp.moDedupeS * 1000,
      ...(options.webhookPolicy ? { webhookPolicy: options.webhookPolicy } : {}),
      ...(options.receiptPolicy ? { receiptPolicy: options.receiptPolicy } : {}),
      ...(options.receipts ? { receipts: options.receipts } : {}),
      ...(options.onStored ? { onStored: options.onStored } : {}),
    }));
    return client;
  });
  const gateway = createSmppGateway({
    clients, longMessageMode: smpp.longMessages, bodyEncoding: smpp.bodyEncoding, numberRewrite: options.numberRewrite ?? [],
    ...(options.onSubmitAnswer ? { onSubmitAnswer: options.onSubmitAnswer } : {}),
  });
  return {
    gateway,
    start: () => startClients(clients, options),
    async stop() {
      await Promise.all(clients.map((client) => client.stop()));
    },
    boundSessions: () => ({ bound: clients.filter((client) => client.isBound()).length, total: clients.length }),
  };
}

async function startClients(clients: readonly EsmeClient[], options: SmppServiceOptions): Promise<void> {
  let refused: Error | null = null;
  const starts = clients.map((client) =>
    client.start().catch((error: unknown) => {
      if (error instanceof SmppCommandError && isCredentialRejection(error.commandStatus)) refused ??= error;
      else options.logger.warn({ err: error }, 'SMPP client start ended');
    }),
  );
  let timer: NodeJS.Timeout | undefined;
  const waited = new Promise<void>((resolve) => (timer = setTimeout(resolve, options.startWaitMs ?? 2_000)));
  await Promise.race([Promise.all(starts), waited]);
  clearTimeout(timer);
  if (refused !== null) {
    await Promise.all(clients.map((client) => client.stop()));
    throw new Error(`SMPP bind refused: ${(refused as Error).message}`, { cause: refused });
  }
  const bound = clients.filter((client) => client.isBound()).length;
  if (bound < clients.length) options.logger.warn({ bound, total: clients.length }, 'not every SMPP bind is up yet; reconnecting in the background');
}
