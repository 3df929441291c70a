// Every hot query stays index-bound at 100k rows per table, with autovacuum off (as on the servers in issue 12):
// the statistics keeper must cover every table these queries touch, and the receipt "parts" lookup must not
// depend on statistics at all. The queries run through the real functions; a recording SqlQuery runs each
// statement once under EXPLAIN (ANALYZE, BUFFERS) inside a savepoint that is rolled back, then for real.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimMessages } from '../../../src/dispatch/claim.js';
import { expireReassemblyGroups } from '../../../src/dispatch/reassembly-sweeper.js';
import { analyzeHotTables, HOT_TABLES } from '../../../src/dispatch/statistics-keeper.js';
import { applySmppReceipt, DEFAULT_RECEIPT_POLICY } from '../../../src/messaging/apply-receipt.js';
import { applyReceiptsWith, applySipReceiptsWith, retryParkedReceipts } from '../../../src/messaging/receipt-batch.js';
import { receiveSmsBatch } from '../../../src/messaging/receive-sms.js';
import type { Database } from '../../../src/store/database.js';
import { claimDeliveries } from '../../../src/webhooks/delivery-claim.js';
import { releaseDueServiceMessages } from '../../../src/dispatch/service-release.js';
import { planProblems, recordingDatabase, scans, type RecordedPlan } from '../../helpers/query-plans.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';

const ROWS = 100_000;
/** No scan in a hot query may touch more index or heap entries than this (the batches are 100 at most). */
const MAX_ROWS_PER_SCAN = 1_000;

/** The tables filled with 100k rows; accounts (1 row) and phone_numbers (1,000) may be read whole. */
const BIG_TABLES = ['messages', 'message_events', 'smsc_submissions', 'delivery_receipts', 'webhook_deliveries', 'mo_parts'];

function problems(recorded: RecordedPlan): string[] {
  return planProblems(recorded, { bigTables: BIG_TABLES, maxRowsPerScan: MAX_ROWS_PER_SCAN });
}

const sid = (prefix: string, n: string) => `'${prefix}' || lpad((${n})::text, 32, '0')`;

// 100k messages: 60k delivered long ago, 20k queued and due, 20k sent a minute ago (awaiting receipts).
const FILL = `
INSERT INTO accounts (sid, friendly_name, auth_token) VALUES ('AC${'0'.repeat(32)}', 'plans', 'token');
INSERT INTO phone_numbers (sid, account_sid, phone_number, friendly_name)
  SELECT ${sid('PN', 'g')}, 'AC${'0'.repeat(32)}', '+1555' || lpad(g::text, 7, '0'), 'n' FROM generate_series(1, 1000) g;
INSERT INTO messages (sid, account_sid, from_address, to_address, body, status, direction, date_sent, next_attempt_at, route,
    date_created, date_updated)
  SELECT ${sid('SM', 'g')}, 'AC${'0'.repeat(32)}', '+1555' || lpad((g % 1000 + 1)::text, 7, '0'), '+1666' || lpad(g::text, 7, '0'),
    'hello number ' || g,
    CASE WHEN g <= 60000 THEN 'delivered' WHEN g <= 80000 THEN 'queued' ELSE 'sent' END, 'outbound-api',
    CASE WHEN g <= 60000 THEN now() - interval '2 days' WHEN g > 80000 THEN now() - interval '1 minute' END,
    CASE WHEN g > 60000 AND g <= 80000 THEN now() - interval '1 second' END, 'smpp',
    now() - interval '2 days', now() - interval '1 minute'
  FROM generate_series(1, ${ROWS}) g;
INSERT INTO message_events (message_sid, type, status)
  SELECT ${sid('SM', 'g')}, 'status', 'queued' FROM generate_series(1, ${ROWS}) g;
INSERT INTO smsc_submissions (message_sid, route, part_number, total_parts, smsc_message_id)
  SELECT ${sid('SM', `${ROWS} - (g - 1) / 3`)}, 'smpp', (g - 1) % 3 + 1, 3, 'id' || g FROM generate_series(1, ${ROWS}) g;
INSERT INTO delivery_receipts (source, raw_text, from_address, to_address, smsc_message_id, stat, err, message_sid, date_matched,
    next_match_at)
  SELECT 'sip', 'id:r' || g || ' stat:DELIVRD', '+1666' || lpad(g::text, 7, '0'), '+15550000001', 'r' || g,
    CASE WHEN g <= 99000 THEN 'DELIVRD' END, '000',
    CASE WHEN g <= 60000 THEN ${sid('SM', 'g')} END, CASE WHEN g <= 60000 THEN now() END,
    CASE WHEN g > 99000 THEN now() - interval '1 second' END
  FROM generate_series(1, ${ROWS}) g;
INSERT INTO webhook_deliveries (account_sid, message_sid, kind, url, method, params, idempotency_token, state, max_attempts,
    deadline, next_attempt_at)
  SELECT 'AC${'0'.repeat(32)}', ${sid('SM', 'g')}, 'status_callback', 'http://127.0.0.1:9/cb', 'POST', '{}', 'idem-' || g,
    CASE WHEN g <= 80000 THEN 'succeeded' ELSE 'pending' END, 10, now() + interval '1 day', now() - interval '1 second'
  FROM generate_series(1, ${ROWS}) g;
INSERT INTO mo_parts (from_address, to_address, reference, total, sequence, body, coding, deadline)
  SELECT '+1777' || lpad((g / 2)::text, 7, '0'), '+15550000001', g % 256, 2, 1, 'part', 0,
    CASE WHEN g <= 20 THEN now() - interval '1 minute' ELSE now() + interval '1 hour' END
  FROM generate_series(1, ${ROWS}) g;
INSERT INTO messaging_services (sid, account_sid, friendly_name) VALUES ('MG${'0'.repeat(32)}', 'AC${'0'.repeat(32)}', 'plans');
INSERT INTO messaging_service_numbers (phone_number_sid, service_sid)
  SELECT ${sid('PN', 'g')}, 'MG${'0'.repeat(32)}' FROM generate_series(1, 10) g;
-- 20k scheduled messages of the service: 150 due now, the rest tomorrow.
INSERT INTO messages (sid, account_sid, to_address, body, status, direction, release_at, messaging_service_sid,
    date_created, date_updated)
  SELECT ${sid('SM', 'g')}, 'AC${'0'.repeat(32)}', '+1999' || lpad(g::text, 7, '0'), 'later', 'scheduled', 'outbound-api',
    CASE WHEN g <= ${ROWS} + 150 THEN now() - interval '1 second' ELSE now() + interval '1 day' END, 'MG${'0'.repeat(32)}',
    now(), now()
  FROM generate_series(${ROWS} + 1, ${ROWS} + 20000) g;
`;

/** Runs every hot path once against the filled database and returns the plans of all their statements. */
async function runHotPaths(db: Database): Promise<RecordedPlan[]> {
  const plans: RecordedPlan[] = [];
  const rec = recordingDatabase(db, plans);
  // Each path does real work, so that its plans are those of a busy server, not of an empty answer.
  expect(await rec.transaction((q) => claimMessages(q, { instanceId: 'plans', limit: 100, leaseMs: 60_000, defaultRoute: 'smpp' }))).toHaveLength(100);
  expect(await rec.transaction((q) => claimDeliveries(q, { instanceId: 'plans', limit: 100, leaseMs: 60_000 }))).toHaveLength(100);
  await rec.transaction((q) => applySipReceiptsWith(q, [{
    rawText: 'id:x1 sub:001 dlvrd:001 submit date:2612031200 done date:2612031201 stat:DELIVRD err:000 text:hello number 90000',
    fromUser: '+16660090000', toUser: '+15550000001',
  }], { policy: DEFAULT_RECEIPT_POLICY, kind: 'postgres' }));
  // Part 2 of a 3-part message sent over SMPP: the submission lookup, then the "parts" query.
  expect(await applySmppReceipt(rec, {
    smscMessageId: 'id5', stat: 'DELIVRD', err: '000', rawText: 'id:id5 stat:DELIVRD', fromAddress: '+16660000001', toAddress: '+15550000001',
  })).toMatchObject({ outcome: 'matched', messageSid: `SM${String(ROWS - 1).padStart(32, '0')}` });
  // The batched SMPP path: a single-part message keeping its SMSC id itself (messages.smsc_message_id), found by
  // the batch lookup and settled with the others, beside a part of a multipart message (one at a time).
  await db.query("UPDATE messages SET smsc_message_id = 'single-1' WHERE sid = $1", [`SM${String(85_000).padStart(32, '0')}`]);
  const smpp = { source: 'smpp' as const, stat: 'DELIVRD', err: '000', fromAddress: '+16660000001', toAddress: '+15550000001' };
  expect(await rec.transaction((q) => applyReceiptsWith(q, [
    { ...smpp, smscMessageId: 'single-1', rawText: 'id:single-1 stat:DELIVRD' },
    { ...smpp, smscMessageId: 'id11', rawText: 'id:id11 stat:DELIVRD' },
  ], { policy: DEFAULT_RECEIPT_POLICY, kind: 'postgres' }))).toEqual([
    expect.objectContaining({ outcome: 'matched', messageSid: `SM${String(85_000).padStart(32, '0')}`, status: 'delivered' }),
    expect.objectContaining({ outcome: 'matched' }),
  ]);
  expect(await retryParkedReceipts(rec, { limit: 100 })).toHaveLength(100);
  expect((await expireReassemblyGroups(rec, { limit: 100 })).map((o) => o.outcome)).toEqual(Array(20).fill('stored'));
  expect((await releaseDueServiceMessages(rec, { limit: 100 })).queued).toHaveLength(100);
  const inbound = { toUser: '+15550000001', coding: 0 as const, smscId: null, deliveryTime: null, route: 'sip' as const, reassemblyTimeoutMs: 60_000 };
  await receiveSmsBatch(rec, [
    { ...inbound, fromUser: '+18880000001', text: 'single', payload: new TextEncoder().encode('single'), udhHex: null, requestKey: 'plans-1' },
    { ...inbound, fromUser: '+18880000002', text: 'first half', payload: new TextEncoder().encode('first half'), udhHex: '0500037B0201', requestKey: 'plans-2' },
  ]);
  return plans;
}

describe('hot query plans at 100k rows without autovacuum', () => {
  let tdb: TestDatabase;
  let db: Database;
  beforeAll(async () => {
    tdb = await createTestDatabase();
    db = await tdb.open();
    await db.runScript(FILL);
  }, 120_000);
  afterAll(async () => {
    await db.close();
    await tdb.drop();
  });

  it('reads a multipart message\'s submissions through one index, even before any statistics exist', async () => {
    const plans: RecordedPlan[] = [];
    await applySmppReceipt(recordingDatabase(db, plans), {
      smscMessageId: 'id8', stat: 'DELIVRD', err: '000', rawText: 'id:id8 stat:DELIVRD', fromAddress: '+16660000001', toAddress: '+15550000001',
    });
    const parts = plans.filter((p) => p.sql.includes('DISTINCT ON (part_number)'));
    expect(parts).toHaveLength(1);
    expect(plans.flatMap(problems)).toEqual([]);
  });

  it('keeps every table a hot query touches analysed, and every hot query index-bound', async () => {
    await analyzeHotTables(db);
    const plans = await runHotPaths(db);
    const touched = [...new Set(plans.flatMap((p) => scans(p.plan)).flatMap((s) => s['Relation Name'] ?? []))].sort();
    expect(touched).toEqual([
      'accounts', 'delivery_receipts', 'message_events', 'messages', 'messaging_service_numbers', 'messaging_services',
      'mo_parts', 'opt_outs', 'phone_numbers', 'smsc_submissions', 'sticky_senders', 'webhook_deliveries',
    ]);
    expect(touched.filter((table) => !HOT_TABLES.includes(table))).toEqual([]);
    expect(plans.flatMap(problems)).toEqual([]);
  }, 120_000);
});
