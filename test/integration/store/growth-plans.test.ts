// Growth over time (issue 13 point 7): no hot query slows as the tables grow. One million old, finished rows in
// each history table (messages delivered over the last 90 days, with their events, receipts, submissions and
// webhook deliveries) under the same live load as hot-query-plans.test.ts (20k queued, 20k sent awaiting
// receipts, 20k pending callbacks, 20k scheduled), autovacuum off and the statistics keeper's ANALYZE. Every hot
// path runs through its real function on a recording Database (test/helpers/query-plans.ts): each statement's
// plan, custom and generic (a named prepared statement may settle on the generic one), must stay index-bound,
// reading at most 1,000 entries per scan. The retention sweep's own statements
// (MESSAGE_RETENTION_DAYS) are held to the same rule, with batches of 300 messages.
//
// The fill is fast on purpose: the big tables' secondary indexes are dropped, the rows inserted with INSERT …
// SELECT generate_series and the foreign-key triggers off, and the same indexes built again from their own
// definitions (so the test follows the migrations), then ANALYZE.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimMessages } from '../../../src/dispatch/claim.js';
import { expireReassemblyGroups } from '../../../src/dispatch/reassembly-sweeper.js';
import { startRetentionPass, sweepRetentionBatch } from '../../../src/dispatch/retention-sweeper.js';
import { releaseDueServiceMessages } from '../../../src/dispatch/service-release.js';
import { analyzeHotTables, HOT_TABLES } from '../../../src/dispatch/statistics-keeper.js';
import { applySmppReceipt, DEFAULT_RECEIPT_POLICY } from '../../../src/messaging/apply-receipt.js';
import { applySipReceiptsWith, retryParkedReceipts } from '../../../src/messaging/receipt-batch.js';
import { receiveSmsBatch } from '../../../src/messaging/receive-sms.js';
import type { Database } from '../../../src/store/database.js';
import { noRetentionCounts } from '../../../src/store/retention-store.js';
import { claimDeliveries } from '../../../src/webhooks/delivery-claim.js';
import { planProblems, recordingDatabase, scans, touchedTables, type RecordedPlan } from '../../helpers/query-plans.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';

/** Old, finished rows per history table. */
const OLD = 1_000_000;
/** Each live set (queued, sent, pending callbacks, scheduled). */
const LIVE = 20_000;
const MAX_ROWS_PER_SCAN = 1_000;
const RETENTION_BATCH = 300;
const BIG_TABLES = ['messages', 'message_events', 'smsc_submissions', 'delivery_receipts', 'webhook_deliveries', 'webhook_attempts', 'mo_parts'];
const ACCOUNT = `'AC${'0'.repeat(32)}'`;
const sid = (prefix: string, n: string) => `'${prefix}' || lpad((${n})::text, 32, '0')`;
/** Old message g (1 … OLD) was created 90 days ago (g = 1) up to 2 days ago (g = OLD). */
const created = (g: string) => `now() - interval '90 days' + interval '88 days' * ((${g})::float8 / ${OLD})`;

// Messages: 1 … OLD delivered; OLD+1 … OLD+LIVE queued and due; OLD+LIVE+1 … OLD+2·LIVE sent a minute ago;
// OLD+2·LIVE+1 … OLD+3·LIVE scheduled (150 due now).
const Q0 = OLD;
const S0 = OLD + LIVE;
const SCHED0 = OLD + 2 * LIVE;
const LAST_SENT = OLD + 2 * LIVE;
/** Multi-part submissions (3 per message) of the 40k live messages, after OLD - 120k single-part ones. */
const MULTI = 3 * 2 * LIVE;

const FILL = `
SET maintenance_work_mem = '256MB';
SET session_replication_role = replica; -- no foreign-key triggers during the fill
CREATE TEMP TABLE saved_indexes AS
  SELECT i.indexname, i.indexdef FROM pg_indexes i
  WHERE i.schemaname = current_schema() AND i.tablename IN (${BIG_TABLES.map((t) => `'${t}'`).join(', ')})
    AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname);
DO $$ DECLARE r record; BEGIN
  FOR r IN SELECT indexname FROM saved_indexes LOOP EXECUTE format('DROP INDEX %I', r.indexname); END LOOP;
END $$;

INSERT INTO accounts (sid, friendly_name, auth_token) VALUES (${ACCOUNT}, 'plans', 'token');
INSERT INTO phone_numbers (sid, account_sid, phone_number, friendly_name)
  SELECT ${sid('PN', 'g')}, ${ACCOUNT}, '+1555' || lpad(g::text, 7, '0'), 'n' FROM generate_series(1, 1000) g;
INSERT INTO messages (sid, account_sid, from_address, to_address, body, status, direction, date_sent, next_attempt_at, route,
    date_created, date_updated)
  SELECT ${sid('SM', 'g')}, ${ACCOUNT}, '+1555' || lpad((g % 1000 + 1)::text, 7, '0'), '+1666' || lpad(g::text, 7, '0'),
    'hello number ' || g,
    CASE WHEN g <= ${Q0} THEN 'delivered' WHEN g <= ${S0} THEN 'queued' ELSE 'sent' END, 'outbound-api',
    CASE WHEN g <= ${Q0} THEN ${created('g')} + interval '1 second' WHEN g > ${S0} THEN now() - interval '1 minute' END,
    CASE WHEN g > ${Q0} AND g <= ${S0} THEN now() - interval '1 second' END, 'smpp',
    CASE WHEN g <= ${Q0} THEN ${created('g')} ELSE now() - interval '2 minutes' END, now() - interval '1 minute'
  FROM generate_series(1, ${LAST_SENT}) g;
INSERT INTO message_events (message_sid, type, status, date_created)
  SELECT ${sid('SM', 'g')}, 'retry', 'queued', ${created('g')} FROM generate_series(1, ${OLD}) g;
-- One submission per old message, then the 3-part submissions of the live ones (smsc ids id1, id2 …).
INSERT INTO smsc_submissions (message_sid, route, part_number, total_parts, smsc_message_id)
  SELECT ${sid('SM', 'g')}, 'smpp', 1, 1, 'old' || g FROM generate_series(1, ${OLD - MULTI}) g;
INSERT INTO smsc_submissions (message_sid, route, part_number, total_parts, smsc_message_id)
  SELECT ${sid('SM', `${LAST_SENT} - (g - 1) / 3`)}, 'smpp', (g - 1) % 3 + 1, 3, 'id' || g FROM generate_series(1, ${MULTI}) g;
-- Receipts: matched to the old messages, then unmatched ones received over the same 90 days, the last 1,000 parked.
INSERT INTO delivery_receipts (source, raw_text, from_address, to_address, smsc_message_id, stat, err, message_sid, date_matched,
    next_match_at, date_received)
  SELECT 'sip', 'id:r' || g || ' stat:DELIVRD', '+1666' || lpad(g::text, 7, '0'), '+15550000001', 'r' || g,
    CASE WHEN g <= ${OLD - 1000} THEN 'DELIVRD' END, '000',
    CASE WHEN g <= ${OLD - 40_000} THEN ${sid('SM', 'g')} END, CASE WHEN g <= ${OLD - 40_000} THEN ${created('g')} END,
    CASE WHEN g > ${OLD - 1000} THEN now() - interval '1 second' END,
    CASE WHEN g > ${OLD - 1000} THEN now() - interval '1 minute' WHEN g <= ${OLD - 40_000} THEN ${created('g')}
      ELSE ${created(`(g - ${OLD - 40_000}) * 25`)} END
  FROM generate_series(1, ${OLD}) g;
-- Status callbacks of the old messages: succeeded, but the last LIVE still pending and due; a failed attempt for one in ten.
INSERT INTO webhook_deliveries (account_sid, message_sid, kind, url, method, params, idempotency_token, state, max_attempts,
    deadline, next_attempt_at, date_created)
  SELECT ${ACCOUNT}, ${sid('SM', 'g')}, 'status_callback', 'http://127.0.0.1:9/cb', 'POST', '{}', 'idem-' || g,
    CASE WHEN g <= ${OLD - LIVE} THEN 'succeeded' ELSE 'pending' END, 10, now() + interval '1 day', now() - interval '1 second',
    ${created('g')}
  FROM generate_series(1, ${OLD}) g;
INSERT INTO webhook_attempts (delivery_id, attempt, url, http_status, latency_ms, date_created)
  SELECT id, 1, url, 503, 5, date_created FROM webhook_deliveries WHERE id % 10 = 0;
-- Segments waiting for their group (they live minutes, so 100k is already a lot): 20 past their deadline.
INSERT INTO mo_parts (from_address, to_address, reference, total, sequence, body, coding, deadline)
  SELECT '+1777' || lpad((g / 2)::text, 7, '0'), '+15550000001', g % 256, 2, 1, 'part', 0,
    CASE WHEN g <= 20 THEN now() - interval '1 minute' ELSE now() + interval '1 hour' END
  FROM generate_series(1, 100000) g;
INSERT INTO messaging_services (sid, account_sid, friendly_name) VALUES ('MG${'0'.repeat(32)}', ${ACCOUNT}, 'plans');
INSERT INTO messaging_service_numbers (phone_number_sid, service_sid)
  SELECT ${sid('PN', 'g')}, 'MG${'0'.repeat(32)}' FROM generate_series(1, 10) g;
INSERT INTO messages (sid, account_sid, to_address, body, status, direction, release_at, messaging_service_sid,
    date_created, date_updated)
  SELECT ${sid('SM', 'g')}, ${ACCOUNT}, '+1999' || lpad(g::text, 7, '0'), 'later', 'scheduled', 'outbound-api',
    CASE WHEN g <= ${SCHED0} + 150 THEN now() - interval '1 second' ELSE now() + interval '1 day' END, 'MG${'0'.repeat(32)}',
    now(), now()
  FROM generate_series(${SCHED0} + 1, ${SCHED0 + LIVE}) g;

DO $$ DECLARE r record; BEGIN
  FOR r IN SELECT indexdef FROM saved_indexes LOOP EXECUTE r.indexdef; END LOOP;
END $$;
RESET session_replication_role;
RESET maintenance_work_mem;
`;

/**
 * Runs every hot path once against the filled database and returns the plans of all their statements: each one's
 * custom plan, and its generic plan too, since a named prepared statement may settle on that one.
 */
async function runHotPaths(db: Database): Promise<RecordedPlan[]> {
  const plans: RecordedPlan[] = [];
  const rec = recordingDatabase(db, plans, { genericPlans: true });
  expect(await rec.transaction((q) => claimMessages(q, { instanceId: 'plans', limit: 100, leaseMs: 60_000, defaultRoute: 'smpp' }))).toHaveLength(100);
  expect(await rec.transaction((q) => claimDeliveries(q, { instanceId: 'plans', limit: 100, leaseMs: 60_000 }))).toHaveLength(100);
  const sentG = S0 + LIVE / 2; // a sent message whose From is +15550000001 (g % 1000 = 0)
  await rec.transaction((q) => applySipReceiptsWith(q, [{
    rawText: `id:x1 sub:001 dlvrd:001 submit date:2612031200 done date:2612031201 stat:DELIVRD err:000 text:hello number ${sentG}`,
    fromUser: `+1666${String(sentG).padStart(7, '0')}`, toUser: '+15550000001',
  }], { policy: DEFAULT_RECEIPT_POLICY, kind: 'postgres' }));
  // Part 2 of a 3-part message sent over SMPP: the submission lookup, then the "parts" query.
  expect(await applySmppReceipt(rec, {
    smscMessageId: 'id5', stat: 'DELIVRD', err: '000', rawText: 'id:id5 stat:DELIVRD', fromAddress: '+16660000001', toAddress: '+15550000001',
  })).toMatchObject({ outcome: 'matched', messageSid: `SM${String(LAST_SENT - 1).padStart(32, '0')}` });
  expect(await retryParkedReceipts(rec, { limit: 100 })).toHaveLength(100);
  expect((await expireReassemblyGroups(rec, { limit: 100 })).map((o) => o.outcome)).toEqual(Array(20).fill('stored'));
  expect((await releaseDueServiceMessages(rec, { limit: 100 })).queued).toHaveLength(100);
  const inbound = { toUser: '+15550000001', coding: 0 as const, smscId: null, deliveryTime: null, route: 'sip' as const, reassemblyTimeoutMs: 60_000 };
  await receiveSmsBatch(rec, [
    { ...inbound, fromUser: '+18880000001', text: 'single', payload: new TextEncoder().encode('single'), udhHex: null, requestKey: 'growth-1' },
    { ...inbound, fromUser: '+18880000002', text: 'first half', payload: new TextEncoder().encode('first half'), udhHex: '0500037B0201', requestKey: 'growth-2' },
  ]);
  return plans;
}

describe(`hot query plans at ${OLD.toLocaleString('en')} old rows per history table`, () => {
  let tdb: TestDatabase;
  let db: Database;
  let indexesBefore: string[];
  beforeAll(async () => {
    tdb = await createTestDatabase();
    db = await tdb.open();
    const indexes = () => db.query<{ indexdef: string }>(
      `SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = ANY($1::text[]) ORDER BY indexname`, [BIG_TABLES],
    ).then((rows) => rows.map((r) => r.indexdef));
    indexesBefore = await indexes();
    const started = Date.now();
    await db.runScript(FILL);
    if (process.env['GROWTH_PLANS_DUMP']) console.log(`fill: ${Date.now() - started} ms`);
    expect(await indexes()).toEqual(indexesBefore);
    await analyzeHotTables(db);
  }, 600_000);
  afterAll(async () => {
    await db?.close();
    await tdb?.drop();
  });

  it('has the rows it claims', async () => {
    const [row] = await db.query<{ messages: number; events: number; receipts: number; deliveries: number; submissions: number }>(
      `SELECT (SELECT count(*) FROM messages)::int AS messages, (SELECT count(*) FROM message_events)::int AS events,
              (SELECT count(*) FROM delivery_receipts)::int AS receipts, (SELECT count(*) FROM webhook_deliveries)::int AS deliveries,
              (SELECT count(*) FROM smsc_submissions)::int AS submissions`,
    );
    expect(row).toEqual({ messages: OLD + 3 * LIVE, events: OLD, receipts: OLD, deliveries: OLD, submissions: OLD });
  });

  it('keeps every hot query index-bound', async () => {
    const plans = await runHotPaths(db);
    const generic = plans.filter((p) => p.sql.startsWith('[generic] '));
    // The inbound number lookup (an array parameter) among them: the generic probe binds every kind of value.
    expect(generic.some((p) => p.sql.includes('WHERE p.phone_number = ANY($1::text[])'))).toBe(true);
    expect(touchedTables(plans).filter((table) => !HOT_TABLES.includes(table))).toEqual([]);
    expect(plans.flatMap((p) => planProblems(p, { bigTables: BIG_TABLES, maxRowsPerScan: MAX_ROWS_PER_SCAN }))).toEqual([]);
  }, 300_000);

  it('keeps the retention sweep\'s statements bounded by their batch, and deletes only what expired', async () => {
    const plans: RecordedPlan[] = [];
    const rec = recordingDatabase(db, plans);
    const pass = await startRetentionPass(rec);
    const counts = noRetentionCounts();
    // Two batches of each kind: the second resumes after the first (the keyset cursor).
    for (let i = 0; i < 2; i += 1) {
      expect(await sweepRetentionBatch(rec, { pass, days: 30, batchSize: RETENTION_BATCH, now: new Date(), counts })).toBe(true);
    }
    expect(counts).toMatchObject({
      messages: 2 * RETENTION_BATCH, message_events: 2 * RETENTION_BATCH, smsc_submissions: 2 * RETENTION_BATCH,
      webhook_deliveries: 2 * RETENTION_BATCH, webhook_attempts: (2 * RETENTION_BATCH) / 10,
      // Each batch: the messages' own receipts, and a batch of unmatched ones.
      delivery_receipts: 4 * RETENTION_BATCH, mo_parts: 0,
    });
    // The oldest went first.
    const [oldest] = await db.query<{ sid: string }>('SELECT sid FROM messages ORDER BY date_created, sid LIMIT 1');
    expect(oldest?.sid).toBe(`SM${String(2 * RETENTION_BATCH + 1).padStart(32, '0')}`);
    // The outbox check, then messages, unmatched receipts and segments; the segments' first batch found none left.
    expect(plans).toHaveLength(6);
    // The statistics keeper covers them too: without statistics, webhook_attempts was read whole.
    expect(touchedTables(plans).filter((table) => !HOT_TABLES.includes(table) && !table.startsWith('pg_'))).toEqual([]);
    if (process.env['GROWTH_PLANS_DUMP']) console.log(JSON.stringify(plans.map((p) => ({ sql: p.sql.slice(0, 80), scans: scans(p.plan).map((s) => [s['Node Type'], s['Relation Name'], s['Index Name'], s['Actual Rows'] * s['Actual Loops'], s['Rows Removed by Filter']]) })), null, 1));
    expect(plans.flatMap((p) => planProblems(p, { bigTables: BIG_TABLES, maxRowsPerScan: MAX_ROWS_PER_SCAN }))).toEqual([]);
  }, 300_000);
});
