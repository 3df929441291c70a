// Runs an outcome plan in one transaction: status changes (history on the message row, callbacks), the exceptional
// steps (retries, deferrals) as event rows, SMSC submissions of multi-part SMPP messages,
// retries handed back to the queue. Set-based statements only; the number of statements does not grow with
// the batch.
import { applyStatusChangesWith, recordMessageEvents, type StatusChangeOptions } from '../messaging/status-change.js';
import type { Database, SqlQuery } from '../store/database.js';
import { requeueMessages } from './claim.js';
import type { OutcomePlan, SubmissionRow } from './outcome-plan.js';

export async function writeOutcomes(options: {
  db: Database;
  instanceId: string;
  plan: OutcomePlan;
  statusChange: StatusChangeOptions;
}): Promise<void> {
  const { plan } = options;
  await options.db.transaction(async (query) => {
    await requeueMessages(query, options.instanceId, plan.requeues);
    await recordMessageEvents(query, plan.events);
    await insertSubmissions(query, plan.submissions);
    if (plan.changes.length > 0) await applyStatusChangesWith(query, plan.changes, options.statusChange);
  });
}

async function insertSubmissions(query: SqlQuery, rows: readonly SubmissionRow[]): Promise<void> {
  if (rows.length === 0) return;
  await query(
    `INSERT INTO smsc_submissions (message_sid, route, part_number, total_parts, smsc_message_id)
     SELECT s.sid, s.route, s.part_number, s.total_parts, s.smsc_message_id
     FROM unnest($1::text[], $2::text[], $3::int[], $4::int[], $5::text[]) WITH ORDINALITY
       AS s(sid, route, part_number, total_parts, smsc_message_id, ord)
     WHERE EXISTS (SELECT 1 FROM messages m WHERE m.sid = s.sid)
     ORDER BY s.ord`,
    [rows.map((r) => r.sid), rows.map((r) => r.route), rows.map((r) => r.partNumber), rows.map((r) => r.totalParts), rows.map((r) => r.smscMessageId)],
  );
}
