// Gives up on inbound multipart messages whose missing segments did not arrive by the group's deadline
// (MO_REASSEMBLY_TIMEOUT_S after its first part). Following the encoding module's semantics (reassembly.ts: an
// incomplete message is handed back with Twilio's 30009 "Missing segment"; docs/encoding.md §5: deliver what
// arrived), the parts received become a `received` message with error 30009 and `num_segments` = the number of
// parts received, announced like any other. docs/receipts.md §6.
import type { Logger } from 'pino';
import { twilioDeliveryErrorMessage } from '../encoding/index.js';
import { assembleGroup, type PartGroup } from '../messaging/mo-reassembly.js';
import { deleteGroup, findExpiredGroups, loadGroup, lockGroup } from '../store/mo-part-store.js';
import { findIncomingNumber, storeInboundMessage } from '../messaging/receive-sms.js';
import type { Database } from '../store/database.js';
import type { InboundWebhookPolicy } from '../webhooks/enqueue-webhook.js';
import { WakeUp } from './wake-up.js';

export type ExpiredGroupOutcome =
  | { outcome: 'stored'; messageSid: string; group: PartGroup; missing: number[] }
  /** The number was released while its parts waited: there is no account to store them under. */
  | { outcome: 'dropped'; group: PartGroup }
  /** Completed or expired by someone else in the meantime. */
  | { outcome: 'gone'; group: PartGroup };

/** One sweep: every group past its deadline (up to `limit`), each in its own transaction. */
export async function expireReassemblyGroups(
  db: Database,
  options: { limit: number; webhookPolicy?: InboundWebhookPolicy },
): Promise<ExpiredGroupOutcome[]> {
  const groups = await findExpiredGroups(db.query, { limit: options.limit });
  const outcomes: ExpiredGroupOutcome[] = [];
  for (const group of groups) outcomes.push(await expireGroup(db, { group, webhookPolicy: options.webhookPolicy }));
  return outcomes;
}

async function expireGroup(db: Database, options: { group: PartGroup; webhookPolicy: InboundWebhookPolicy | undefined }): Promise<ExpiredGroupOutcome> {
  const { group } = options;
  return db.transaction(async (query) => {
    await lockGroup(query, { group, kind: db.kind });
    const parts = await loadGroup(query, group);
    const [due] = await query<{ due: boolean }>(
      `SELECT COALESCE(min(deadline) <= now(), false) AS due FROM mo_parts
       WHERE from_address = $1 AND to_address = $2 AND reference = $3 AND total = $4`,
      [group.from, group.to, group.reference, group.total],
    );
    if (parts.length === 0 || due?.due !== true) return { outcome: 'gone', group };
    await deleteGroup(query, group);
    const number = await findIncomingNumber(query, group.to);
    if (number === null) return { outcome: 'dropped', group };
    const assembled = assembleGroup(group, parts);
    const messageSid = await storeInboundMessage(query, {
      number, from: group.from, body: assembled.text, payload: assembled.payload, coding: assembled.coding, udh: assembled.udh,
      numSegments: assembled.received.length, smscId: assembled.smscId, deliveryTime: assembled.deliveryTime, requestKey: null, route: assembled.route,
      error: { code: 30009, message: twilioDeliveryErrorMessage(30009) },
      extraEvent: { type: 'reassembly_timeout', detail: assembled.eventDetail },
      webhookPolicy: options.webhookPolicy,
    });
    if (messageSid === null) throw new Error('a message without a request key cannot conflict');
    return { outcome: 'stored', messageSid, group, missing: assembled.missing };
  });
}

export interface ReassemblySweeperOptions {
  db: Database;
  logger: Logger;
  intervalMs: number;
  batchSize: number;
  webhookPolicy?: InboundWebhookPolicy;
  /** Called after a partial message was stored (e.g. to wake the webhook worker). */
  onStored?: () => void;
}

export interface Sweeper {
  start(): void;
  stop(): Promise<void>;
}

export function createReassemblySweeper(options: ReassemblySweeperOptions): Sweeper {
  const log = options.logger.child({ component: 'reassembly-sweeper' });
  return createPollLoop({
    intervalMs: options.intervalMs,
    log,
    sweep: async () => {
      const outcomes = await expireReassemblyGroups(options.db, {
        limit: options.batchSize, ...(options.webhookPolicy ? { webhookPolicy: options.webhookPolicy } : {}),
      });
      for (const o of outcomes) {
        if (o.outcome === 'stored') log.warn({ messageSid: o.messageSid, missing: o.missing, ...o.group }, 'segments missing: stored with 30009');
        if (o.outcome === 'dropped') log.warn({ ...o.group }, 'segments missing and the number is gone: parts dropped');
      }
      if (outcomes.some((o) => o.outcome === 'stored')) options.onStored?.();
      return outcomes.length >= options.batchSize;
    },
  });
}

/**
 * A poll loop: runs `sweep` every `intervalMs`, at once again while it reports a full batch. A failed sweep (the
 * database out of reach, a lost connection) is logged and retried, the wait doubling with each failure in a row
 * up to a minute, so an outage neither stops the loop nor floods the log; the first success resets it. The work
 * stays in the database meanwhile.
 */
export function createPollLoop(options: { intervalMs: number; log: Logger; sweep: () => Promise<boolean> }): Sweeper {
  const wakeUp = new WakeUp();
  let running: Promise<void> | null = null;
  let stopping = false;
  const loop = async (): Promise<void> => {
    let failures = 0;
    while (!stopping) {
      let more = false;
      let waitMs = options.intervalMs;
      try {
        more = await options.sweep();
        failures = 0;
      } catch (error) {
        failures += 1;
        waitMs = Math.min(Math.max(options.intervalMs, 60_000), options.intervalMs * 2 ** Math.min(failures - 1, 16));
        options.log.error({ err: error, failures, retryInMs: waitMs }, 'sweep failed; retrying');
      }
      if (!stopping) await wakeUp.wait(more ? 0 : waitMs);
    }
  };
  return {
    start() {
      if (running === null) running = loop();
    },
    async stop() {
      stopping = true;
      wakeUp.wake();
      await running;
    },
  };
}
