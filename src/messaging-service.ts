// The messaging half of the composition root: the SIP stack, the inbound handler, the SMSC gateway, the outbound
// dispatcher, the webhook worker, the sweepers, the SMSC probe and the metrics, wired by hand in start order.
// close() stops them so that nothing is lost: dispatcher and webhook worker drain (or release their claims back
// to the database) while the SIP transport is still up to carry the answers; the SIP listeners close last.
import { setTimeout as sleep } from 'node:timers/promises';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { OperationsDeps } from './api/operations-routes.js';
import type { SmscLinkSource } from './console/smsc-link.js';
import type { Config } from './config/index.js';
import { createOutboundDispatcher, type OutboundDispatcher } from './dispatch/outbound-dispatcher.js';
import { PendingOutcomes } from './dispatch/pending-outcomes.js';
import { createReassemblySweeper } from './dispatch/reassembly-sweeper.js';
import { createReceiptSweeper } from './dispatch/receipt-sweeper.js';
import { createRetentionSweeper } from './dispatch/retention-sweeper.js';
import { createServiceRelease } from './dispatch/service-release.js';
import { createStatisticsKeeper } from './dispatch/statistics-keeper.js';
import { componentLogger } from './logging/index.js';
import { createServiceMetrics } from './metrics/metrics.js';
import { DEFAULT_RECEIPT_POLICY, type ReceiptPolicy } from './messaging/apply-receipt.js';
import type { MessageWriter } from './messaging/ports.js';
import { createReceiptBatcher } from './messaging/receipt-batch.js';
import { createInboundBatcher } from './messaging/inbound-batch.js';
import type { SmscGateway } from './messaging/smsc-gateway.js';
import { createSipStack, localHostPort, type SipStack } from './sip/index.js';
import { createSipInboundHandler } from './sip/inbound-handler.js';
import { createSipSmscGateway } from './sip/smsc-sip-gateway.js';
import { createSmscProbe } from './sip/smsc-probe.js';
import type { Database } from './store/database.js';
import { createBatchedMessageWriter } from './store/batched-message-writer.js';
import { createWriteProbe } from './store/write-probe.js';
import { createOutboxRunnerFromConfig, createWebhookWorkerFromConfig, type WebhookDeliveryWorker } from './webhooks/index.js';
import { createSmppService, type SmppService } from './smpp/smpp-service.js';

export interface Messaging {
  sip: SipStack;
  dispatcher: OutboundDispatcher;
  webhooks: WebhookDeliveryWorker;
  /** The API's writer: applies the receipt policy and wakes the dispatcher after each commit. */
  messageWriter: MessageWriter;
  operations: OperationsDeps;
  /** The SMSC link as the console shows it: SIP transport and probe, SMPP binds. */
  smscLink: SmscLinkSource;
  close(drainMs: number): Promise<void>;
}

export async function startMessaging(options: {
  db: Database;
  /** The API's handle (its own connections, with API_STATEMENT_TIMEOUT_MS): the create path and readiness. */
  apiDb?: Database;
  config: Config;
  logger: Logger;
}): Promise<Messaging> {
  const { db, config, logger } = options;
  const apiDb = options.apiDb ?? db;
  const instanceId = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const webhookPolicy = { maxAttempts: config.webhooks.maxAttempts, deadlineMs: config.webhooks.retryDeadlineS * 1000 };
  const statusChange = { sendingCallbacks: false, callbackMaxAttempts: config.webhooks.maxAttempts, callbackDeadlineMs: webhookPolicy.deadlineMs };

  const sip = createSipStack({ sip: config.sip, logger });
  const webhooks = createWebhookWorkerFromConfig({
    db, logger, instanceId, settings: config.webhooks, replyXHeaderDeny: config.api.restcommXHeaderDeny,
    // Called only after start, when `dispatcher` below is initialised.
    onReplyQueued: () => dispatcher.nudge(),
  });
  // First attempts of new webhooks from memory (the transactional outbox); retries stay with `webhooks`.
  const outbox = createOutboxRunnerFromConfig({
    db, logger, instanceId, settings: config.webhooks, replyXHeaderDeny: config.api.restcommXHeaderDeny,
    onReplyQueued: () => dispatcher.nudge(),
    onPendingRecorded: () => webhooks.nudge(),
    alsoFor: [apiDb],
  });
  let startedDispatcher: OutboundDispatcher | null = null;
  const smscIdMatches = { exact: 0, alternate: 0, ambiguous: 0 };
  const receiptPolicy: ReceiptPolicy = {
    ...DEFAULT_RECEIPT_POLICY, statusChange, smscIdMatches, correctionWindowMs: config.smsc.receiptCorrectionWindowS * 1000,
  };
  // Send outcomes answered but not written yet: a receipt that beats its own "sent" write waits for it here.
  const pendingOutcomes = new PendingOutcomes();
  // Group commit: concurrent receipts of both roads (and inbound SMS) share one transaction; each is answered
  // (SIP 200, deliver_sm_resp) only after it commits.
  const receipts = createReceiptBatcher({
    db,
    policy: receiptPolicy,
    unwritten: pendingOutcomes,
    // A receipt may arrive before the dispatcher below exists; then there is nothing of ours to write first.
    beforeBatch: () => startedDispatcher?.flushOutcomes() ?? Promise.resolve(),
  });
  const inbound = createInboundBatcher({ db });
  sip.port.onMessage(createSipInboundHandler({
    db,
    logger,
    bodyCharset: { 0: config.smsc.bodyCharsetGsm7, 1: 'binary', 2: config.smsc.bodyCharsetUcs2 },
    numberRewrite: config.smsc.numberRewrite,
    unknownNumberStatus: config.sip.unknownNumberStatus,
    maxInFlight: config.sip.inboundMaxInFlight,
    reassemblyTimeoutMs: config.inbound.reassemblyTimeoutS * 1000,
    webhookPolicy,
    useCases: {
      receiveSms: (sms) => inbound.receiveSms(sms),
      applySipReceipt: async (receipt) => {
        const result = await receipts.applySipReceipt(receipt);
        if (result.outcome === 'matched') webhooks.nudge();
        return result;
      },
    },
    onStored: () => webhooks.nudge(),
  }));
  await sip.port.start();

  const ourHostPort = localHostPort({ stack: sip, transport: config.sip.smsc.transport });
  const probe = createSmscProbe({
    sip: sip.port, smscUri: config.sip.smsc.uri, localHostPort: ourHostPort,
    intervalMs: config.smsc.probeIntervalMs, timeoutMs: 5_000, logger: componentLogger(logger, 'smsc-probe'),
    // The SMSC answers again after an outage: the dispatcher leaves its slow mode now, not after its delay.
    onAnswered: () => startedDispatcher?.smscAnswered(),
  });
  const sipGateway = createSipSmscGateway({
    sip: sip.port, smscUri: config.sip.smsc.uri, localHostPort: ourHostPort, sendValidity: config.smsc.sendValidity,
    numberRewrite: config.smsc.numberRewrite,
  });
  // MESSAGE_RETENTION_DAYS = 0 (the default): never touches the database.
  const retention = createRetentionSweeper({ db, logger, settings: config.retention });
  // The metrics read the dispatcher, which is built below with the instrumented gateway: read lazily.
  const metrics = createServiceMetrics({
    db,
    dispatcher: {
      queueDepth: () => dispatcher.queueDepth(), stats: () => dispatcher.stats(),
      routeReadiness: () => dispatcher.routeReadiness(), queuedByRoute: () => dispatcher.queuedByRoute(),
    },
    webhooks,
    outbox,
    probe,
    smscIdMatches,
    retention,
  });
  // The SMPP road exists only when SMPP_BINDS names at least one bind.
  const smpp: SmppService | null = config.smpp.binds.length === 0 ? null : createSmppService({
    db, smpp: config.smpp, logger, reassemblyTimeoutMs: config.inbound.reassemblyTimeoutS * 1000, webhookPolicy, receiptPolicy,
    numberRewrite: config.smsc.numberRewrite,
    receipts: {
      applySmppReceipt: async (receipt) => {
        const result = await receipts.applySmppReceipt(receipt);
        if (result.outcome === 'matched') webhooks.nudge();
        return result;
      },
    },
    onSubmitAnswer: (message, smscMessageId) => pendingOutcomes.answered(message, [smscMessageId]),
    onStored: () => webhooks.nudge(),
  });
  await smpp?.start().catch(async (error: unknown) => {
    await sip.port.stop(); // refused credentials: nothing else has started yet
    throw error;
  });
  const gateways: { sip: SmscGateway; smpp?: SmscGateway } = { sip: metrics.instrumentGateway(sipGateway) };
  if (smpp) gateways.smpp = metrics.instrumentGateway(smpp.gateway);
  const timerF = 64 * config.sip.timers.t1Ms;
  const dispatcher = createOutboundDispatcher({
    db,
    gateways,
    defaultRoute: config.routing.defaultRoute,
    instanceId,
    maxInFlight: config.smsc.maxInFlight,
    maxRatePerSecond: config.smsc.maxRate,
    senderMaxRatePerSecond: config.smsc.senderMaxRate,
    batchSize: Math.min(100, Math.max(1, config.smsc.maxInFlight)),
    // A claim must outlive the longest SIP transaction (Timer F) plus time spent waiting for rate tokens.
    leaseMs: timerF + 30_000,
    pollIntervalMs: 250,
    retry: { baseMs: config.smsc.retryBaseMs, maxMs: config.smsc.retryMaxMs },
    logger,
    statusChange,
    pendingOutcomes,
  });
  const sweepers = [
    createReceiptSweeper({ db, logger, intervalMs: 1_000, batchSize: 100, policy: receiptPolicy }),
    createReassemblySweeper({ db, logger, intervalMs: 5_000, batchSize: 100, webhookPolicy, onStored: () => webhooks.nudge() }),
    createStatisticsKeeper({ db, logger, intervalMs: 15_000 }),
    retention,
    // Messaging Services: accepted and due scheduled messages get their pool sender and are queued (200 ms: a
    // scheduled message leaves well within 1 s of SendAt).
    createServiceRelease({
      db, logger, intervalMs: 200, batchSize: 100, statusChange,
      onReleased: () => {
        dispatcher.nudge();
        webhooks.nudge();
      },
    }),
  ];
  outbox.start();
  dispatcher.start();
  startedDispatcher = dispatcher;
  webhooks.start();
  for (const sweeper of sweepers) sweeper.start();
  probe.start();

  // Group commit: concurrent API creates share one INSERT and one commit; each resolves only after that commit.
  const writerLog = componentLogger(logger, 'message-writer');
  const baseWriter = createBatchedMessageWriter({
    db: apiDb,
    recoverForMs: config.api.statementTimeoutMs,
    onRecovery: (error) => writerLog.warn({ err: error }, 'database connection lost under a message insert; reading it back'),
  });
  const messageWriter: MessageWriter = {
    async insertMessage(message) {
      // X-REG-DELIVERY: as the request demanded (RestComm X-REG-DELIVERY), else always when SMSC_RECEIPTS is on
      // (the default), otherwise only when a callback wants it.
      const receiptRequested = message.receiptDemand ?? (config.smsc.receipts || message.statusCallback !== null);
      const row = await baseWriter.insertMessage({ ...message, receiptRequested });
      dispatcher.nudge();
      return row;
    },
  };
  return {
    sip,
    dispatcher,
    webhooks,
    messageWriter,
    operations: {
      databaseWritable: createWriteProbe({ db: apiDb, timeoutMs: config.api.statementTimeoutMs }),
      sipReady: () => sip.port.isReady(),
      smscProbe: () => probe.state(),
      registry: metrics.registry,
    },
    smscLink: () => ({
      defaultRoute: config.routing.defaultRoute,
      sip: { transportUp: sip.port.isReady(), probe: probe.state() },
      smpp: smpp?.boundSessions() ?? null,
    }),
    async close(drainMs) {
      probe.stop();
      await dispatcher.stop({ drainMs });
      // What the dispatcher still held is released to the queue: receipts waiting for it take the parking path.
      pendingOutcomes.clear();
      await Promise.all([outbox.stop({ drainMs }), webhooks.stop({ drainMs })]);
      for (const sweeper of sweepers) await sweeper.stop();
      await smpp?.stop();
      // Inbound MESSAGEs already accepted wait for their group commit; the transport must still be up to send
      // their 200s, and the database must not close under them (main.ts closes it after this).
      await Promise.race([Promise.all([receipts.idle(), inbound.idle()]), sleep(drainMs, undefined, { ref: false })]);
      await sip.port.stop();
    },
  };
}
