// Turns what happened to claimed messages into the writes that record it. Pure: the clock and the random source
// are inputs, so retry decisions are unit-testable; outcome-writer.ts runs the plan in one transaction.
import { DELIVERY_ERRORS } from '../messaging/send-outcome.js';
import type { SubmitResult } from '../messaging/smsc-gateway.js';
import type { MessageEventInput, StatusChange } from '../messaging/status-change.js';
import { backoffDelay, type BackoffPolicy } from './backoff.js';
import type { ClaimedMessage, Requeue } from './claim.js';

export type DispatchOutcome =
  /** The gateway answered (accepted, permanent or temporary failure). */
  | { kind: 'submitted'; message: ClaimedMessage; result: SubmitResult; at: Date }
  /** The validity deadline passed before the message could be sent. */
  | { kind: 'expired'; message: ClaimedMessage }
  /** Not sent on this claim (sender throttle, shutdown): back to the queue without counting an attempt. */
  | { kind: 'deferred'; message: ClaimedMessage; delayMs: number; reason: string };

export interface SubmissionRow {
  sid: string;
  route: string;
  partNumber: number;
  totalParts: number;
  smscMessageId: string | null;
}

export interface OutcomePlan {
  changes: StatusChange[];
  submissions: SubmissionRow[];
  requeues: Requeue[];
  /**
   * Exceptional steps of outcomes that change no status (a retried temporary failure, a deferral). Each says when
   * its claim started (sendStartedAt): the message row keeps only the latest claim's.
   */
  events: MessageEventInput[];
}

export interface PlanContext {
  now: Date;
  retry: BackoffPolicy;
  random?: () => number;
}

export function planOutcomes(outcomes: readonly DispatchOutcome[], context: PlanContext): OutcomePlan {
  const plan: OutcomePlan = { changes: [], submissions: [], requeues: [], events: [] };
  for (const outcome of outcomes) {
    if (outcome.kind === 'expired') plan.changes.push(expiredChange(outcome.message, { type: 'validity', detail: validityDetail(outcome.message) }));
    else if (outcome.kind === 'deferred') {
      plan.requeues.push({ sid: outcome.message.sid, delayMs: outcome.delayMs, countAttempt: false });
      plan.events.push({
        sid: outcome.message.sid, type: 'deferred', status: 'queued',
        detail: { reason: outcome.reason, retryInMs: outcome.delayMs, ...claimDetail(outcome.message) },
      });
    }
    else planSubmission(plan, outcome.message, outcome.result, outcome.at, context);
  }
  return plan;
}

function planSubmission(plan: OutcomePlan, message: ClaimedMessage, result: SubmitResult, at: Date, context: PlanContext): void {
  const detail = { ...result.detail, route: message.route, attempt: message.attempts, outcome: result.kind };
  const event = { type: 'send_attempt', detail };
  // The attempt that decides the message is kept on its row (smsc_result), not as an event row.
  const smscResult = { ...detail, at: at.toISOString(), claimedBy: message.claimedBy };
  if (result.kind === 'accepted') {
    const ids = result.smscMessageIds;
    const singleSmppId = message.route === 'smpp' && ids.length === 1 ? (ids[0] as string) : null;
    plan.changes.push({ sid: message.sid, status: 'sent', dateSent: at, event, smscResult, smscMessageId: singleSmppId });
    plan.submissions.push(...submissionRows(message, ids));
  } else if (result.kind === 'permanent-failure') {
    plan.changes.push({
      sid: message.sid, status: 'failed', errorCode: result.errorCode, errorMessage: result.errorMessage, event, smscResult,
    });
  } else if (message.validUntil !== null && message.validUntil.getTime() <= context.now.getTime()) {
    plan.changes.push(expiredChange(message, { type: 'send_attempt', detail: { ...detail, reason: result.reason, ...validityDetail(message) } }));
  } else {
    const delayMs = backoffDelay(context.retry, message.attempts, context.random);
    plan.requeues.push({ sid: message.sid, delayMs, countAttempt: true });
    plan.events.push({
      sid: message.sid, type: 'send_attempt', status: null,
      detail: { ...detail, reason: result.reason, retryInMs: delayMs, ...claimDetail(message) },
    });
  }
}

/**
 * One row per part of a multi-part SMPP message (its receipts come per part). A single-part message needs none:
 * its SMSC id is messages.smsc_message_id (SMPP), and SIP gives no id.
 */
function submissionRows(message: ClaimedMessage, ids: readonly string[]): SubmissionRow[] {
  if (message.route !== 'smpp' || ids.length < 2) return [];
  return ids.map((id, i) => ({ sid: message.sid, route: message.route, partNumber: i + 1, totalParts: ids.length, smscMessageId: id }));
}

function expiredChange(message: ClaimedMessage, event: StatusChange['event']): StatusChange {
  return { sid: message.sid, status: 'failed', errorCode: 30001, errorMessage: DELIVERY_ERRORS[30001], event };
}

/** Which claim an exceptional step ended (the `sending` step of Events.json). */
function claimDetail(message: ClaimedMessage): Record<string, unknown> {
  return { claimedBy: message.claimedBy, ...(message.sendStartedAt === null ? {} : { sendStartedAt: message.sendStartedAt.toISOString() }) };
}

function validityDetail(message: ClaimedMessage): Record<string, unknown> {
  return { validUntil: message.validUntil?.toISOString() ?? null, attempt: message.attempts };
}
