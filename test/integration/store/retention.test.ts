// Retention (MESSAGE_RETENTION_DAYS): what a pass deletes and what it must keep. The plans of its statements at
// 1,000,000 rows are checked in growth-plans.test.ts.
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRetentionSweeper, startRetentionPass, sweepRetentionBatch } from '../../../src/dispatch/retention-sweeper.js';
import type { Database } from '../../../src/store/database.js';
import { noRetentionCounts, type RetentionCounts } from '../../../src/store/retention-store.js';
import { createPgliteDatabase, createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';

const ACCOUNT = `AC${'0'.repeat(32)}`;
const DAY = 86_400_000;

interface Seed {
  sid: string;
  status: string;
  ageDays: number;
  nextAttemptAt?: boolean;
  releaseAt?: boolean;
  /** A webhook delivery of the message, in this state. */
  delivery?: 'succeeded' | 'failed' | 'pending';
}

async function seed(db: Database, rows: Seed[]): Promise<void> {
  for (const row of rows) {
    const created = new Date(Date.now() - row.ageDays * DAY);
    await db.query(
      `INSERT INTO messages (sid, account_sid, from_address, to_address, body, status, direction, date_created, date_updated,
         next_attempt_at, release_at)
       VALUES ($1, $2, '+15550000001', '+15550000002', 'hi', $3, 'outbound-api', $4, $4,
         CASE WHEN $5 THEN now() END, CASE WHEN $6 THEN now() + interval '1 day' END)`,
      [row.sid, ACCOUNT, row.status, created, row.nextAttemptAt === true, row.releaseAt === true],
    );
    await db.query(`INSERT INTO message_events (message_sid, type, status) VALUES ($1, 'status', 'queued'), ($1, 'retry', NULL)`, [row.sid]);
    await db.query(
      `INSERT INTO delivery_receipts (source, raw_text, from_address, to_address, stat, message_sid, date_received)
       VALUES ('sip', 'id:1 stat:DELIVRD', '+15550000002', '+15550000001', 'DELIVRD', $1, $2)`,
      [row.sid, created],
    );
    await db.query(`INSERT INTO smsc_submissions (message_sid, route, smsc_message_id) VALUES ($1, 'smpp', $1), ($1, 'smpp', $1 || 'b')`, [row.sid]);
    if (row.delivery !== undefined) {
      const [delivery] = await db.query<{ id: string }>(
        `INSERT INTO webhook_deliveries (account_sid, message_sid, kind, url, method, params, idempotency_token, state, max_attempts, deadline)
         VALUES ($1, $2, 'status_callback', 'http://127.0.0.1:9/cb', 'POST', '{}', 'idem-' || $2, $3, 10, now()) RETURNING id::text`,
        [ACCOUNT, row.sid, row.delivery],
      );
      await db.query(`INSERT INTO webhook_attempts (delivery_id, attempt, url, latency_ms) VALUES ($1, 1, 'http://127.0.0.1:9/cb', 5)`, [delivery?.id]);
    }
  }
}

async function remaining(db: Database): Promise<Record<string, number>> {
  const [row] = await db.query<Record<string, number>>(
    `SELECT (SELECT count(*) FROM messages)::int AS messages, (SELECT count(*) FROM message_events)::int AS events,
            (SELECT count(*) FROM delivery_receipts)::int AS receipts, (SELECT count(*) FROM smsc_submissions)::int AS submissions,
            (SELECT count(*) FROM webhook_deliveries)::int AS deliveries, (SELECT count(*) FROM webhook_attempts)::int AS attempts,
            (SELECT count(*) FROM mo_parts)::int AS parts`,
  );
  return row ?? {};
}

async function sids(db: Database): Promise<string[]> {
  return (await db.query<{ sid: string }>('SELECT sid FROM messages ORDER BY sid')).map((r) => r.sid);
}

/** A whole pass, batch by batch, as the sweeper runs it; returns what it deleted and how many batches it took. */
async function runPass(db: Database, options: { days: number; batchSize: number }): Promise<{ counts: RetentionCounts; batches: number }> {
  const pass = await startRetentionPass(db);
  const counts = noRetentionCounts();
  let batches = 1;
  while (await sweepRetentionBatch(db, { pass, ...options, now: new Date(), counts })) batches += 1;
  return { counts, batches };
}

async function reset(db: Database): Promise<void> {
  await db.runScript(`TRUNCATE messages, message_events, delivery_receipts, smsc_submissions, webhook_deliveries, webhook_attempts, mo_parts;
    DROP TABLE IF EXISTS webhook_outbox`);
}

function sid(n: number): string {
  return `SM${String(n).padStart(32, '0')}`;
}

describe('retention on PostgreSQL', () => {
  let tdb: TestDatabase;
  let db: Database;
  beforeAll(async () => {
    tdb = await createTestDatabase();
    db = await tdb.open();
    await db.query(`INSERT INTO accounts (sid, friendly_name, auth_token) VALUES ($1, 'retention', 'token')`, [ACCOUNT]);
  });
  afterAll(async () => {
    await db.close();
    await tdb.drop();
  });

  it('deletes finished old messages with their history, and keeps young, unfinished and webhook-pending ones', async () => {
    await reset(db);
    await seed(db, [
      { sid: sid(1), status: 'delivered', ageDays: 40, delivery: 'succeeded' },
      { sid: sid(2), status: 'undelivered', ageDays: 31, delivery: 'failed' },
      { sid: sid(3), status: 'sent', ageDays: 35 },
      { sid: sid(4), status: 'received', ageDays: 60 },
      { sid: sid(10), status: 'delivered', ageDays: 29, delivery: 'succeeded' },
      { sid: sid(11), status: 'queued', ageDays: 40, nextAttemptAt: true },
      { sid: sid(12), status: 'sending', ageDays: 40, nextAttemptAt: true },
      { sid: sid(13), status: 'scheduled', ageDays: 40, releaseAt: true },
      { sid: sid(14), status: 'delivered', ageDays: 40, delivery: 'pending' },
      { sid: sid(15), status: 'receiving', ageDays: 40 },
      // A finished status still in the send queue is not touched either.
      { sid: sid(16), status: 'failed', ageDays: 40, nextAttemptAt: true },
    ]);
    // Unmatched receipts and left-over segments, old and young.
    await db.query(
      `INSERT INTO delivery_receipts (source, raw_text, from_address, to_address, date_received)
       VALUES ('sip', 'old', '+1', '+2', now() - interval '31 days'), ('sip', 'young', '+1', '+2', now() - interval '29 days')`,
    );
    await db.query(
      `INSERT INTO mo_parts (from_address, to_address, reference, total, sequence, body, coding, deadline)
       VALUES ('+1', '+2', 1, 2, 1, 'old', 0, now() - interval '31 days'), ('+1', '+2', 2, 2, 1, 'young', 0, now() + interval '1 minute')`,
    );

    const { counts } = await runPass(db, { days: 30, batchSize: 100 });

    expect(counts).toEqual({
      messages: 4, message_events: 8, delivery_receipts: 5, smsc_submissions: 8, webhook_deliveries: 2, webhook_attempts: 2,
      webhook_outbox: 0, mo_parts: 1,
    });
    expect(await sids(db)).toEqual([10, 11, 12, 13, 14, 15, 16].map(sid));
    expect(await remaining(db)).toEqual({ messages: 7, events: 14, receipts: 8, submissions: 14, deliveries: 2, attempts: 2, parts: 1 });
    expect((await db.query<{ raw_text: string }>('SELECT raw_text FROM delivery_receipts WHERE message_sid IS NULL')).map((r) => r.raw_text)).toEqual(['young']);
  });

  it('walks the expired messages oldest first in batches of the configured size', async () => {
    await reset(db);
    await seed(db, Array.from({ length: 25 }, (_, i) => ({ sid: sid(100 + i), status: 'delivered', ageDays: 100 - i })));
    await seed(db, [{ sid: sid(200), status: 'delivered', ageDays: 1 }]);

    const pass = await startRetentionPass(db);
    const counts = noRetentionCounts();
    const more = await sweepRetentionBatch(db, { pass, days: 30, batchSize: 10, now: new Date(), counts });
    expect(more).toBe(true);
    expect(counts.messages).toBe(10);
    // The oldest ten went first.
    expect((await sids(db))[0]).toBe(sid(110));
    while (await sweepRetentionBatch(db, { pass, days: 30, batchSize: 10, now: new Date(), counts }));
    expect(counts.messages).toBe(25);
    expect(await sids(db)).toEqual([sid(200)]);
  });

  it('skips a message another transaction holds, and takes it in a later pass', async () => {
    await reset(db);
    await seed(db, [
      { sid: sid(1), status: 'delivered', ageDays: 40 },
      { sid: sid(2), status: 'delivered', ageDays: 40 },
    ]);
    const other = await tdb.open();
    let release!: () => void;
    const released = new Promise<void>((resolve) => { release = resolve; });
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => { locked = resolve; });
    const holder = other.transaction(async (query) => {
      await query('SELECT 1 FROM messages WHERE sid = $1 FOR UPDATE', [sid(1)]);
      locked();
      await released;
    });
    await isLocked;
    const first = await runPass(db, { days: 30, batchSize: 100 });
    expect(first.counts.messages).toBe(1);
    expect(await sids(db)).toEqual([sid(1)]);
    release();
    await holder;
    await other.close();
    expect((await runPass(db, { days: 30, batchSize: 100 })).counts.messages).toBe(1);
    expect(await sids(db)).toEqual([]);
  });

  it('deletes a message\'s webhook_outbox items with it when that table exists', async () => {
    await reset(db);
    await db.runScript('CREATE TABLE webhook_outbox (id BIGSERIAL PRIMARY KEY, message_sid TEXT NOT NULL)');
    await seed(db, [{ sid: sid(1), status: 'delivered', ageDays: 40 }, { sid: sid(2), status: 'delivered', ageDays: 1 }]);
    await db.query('INSERT INTO webhook_outbox (message_sid) VALUES ($1), ($1), ($2)', [sid(1), sid(2)]);
    const { counts } = await runPass(db, { days: 30, batchSize: 100 });
    expect(counts).toMatchObject({ messages: 1, webhook_outbox: 2 });
    expect(await db.query('SELECT message_sid FROM webhook_outbox')).toEqual([{ message_sid: sid(2) }]);
  });

  it('runs as a background loop and counts what it deleted', async () => {
    await reset(db);
    await seed(db, Array.from({ length: 5 }, (_, i) => ({ sid: sid(300 + i), status: 'delivered', ageDays: 40 })));
    const sweeper = createRetentionSweeper({
      db, logger: pino({ level: 'silent' }), settings: { days: 30, batchSize: 2, batchPauseMs: 1, intervalMs: 1 },
    });
    sweeper.start();
    try {
      await expect.poll(() => sweeper.stats().passes, { timeout: 10_000 }).toBeGreaterThanOrEqual(1);
    } finally {
      await sweeper.stop();
    }
    expect(await sids(db)).toEqual([]);
    expect(sweeper.stats().deleted).toMatchObject({ messages: 5, message_events: 10, delivery_receipts: 5, smsc_submissions: 10 });
    expect(sweeper.stats().batches).toBeGreaterThanOrEqual(3);
  });

  it('with MESSAGE_RETENTION_DAYS=0 never touches the database', async () => {
    const calls: string[] = [];
    const spy: Database = {
      ...db,
      query: (text, params) => { calls.push(text); return db.query(text, params); },
      transaction: (work) => { calls.push('transaction'); return db.transaction(work); },
    };
    const sweeper = createRetentionSweeper({ db: spy, logger: pino({ level: 'silent' }), settings: { days: 0, batchSize: 2, batchPauseMs: 1, intervalMs: 1 } });
    sweeper.start();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await sweeper.stop();
    expect(calls).toEqual([]);
    expect(sweeper.stats().batches).toBe(0);
  });
});

describe('retention on PGlite', () => {
  it('deletes the same way on the embedded database', async () => {
    const db = await createPgliteDatabase();
    try {
      await db.query(`INSERT INTO accounts (sid, friendly_name, auth_token) VALUES ($1, 'retention', 'token')`, [ACCOUNT]);
      await seed(db, [
        { sid: sid(1), status: 'delivered', ageDays: 40, delivery: 'succeeded' },
        { sid: sid(2), status: 'delivered', ageDays: 40, delivery: 'pending' },
        { sid: sid(3), status: 'queued', ageDays: 40, nextAttemptAt: true },
      ]);
      const { counts } = await runPass(db, { days: 30, batchSize: 1 });
      expect(counts).toMatchObject({ messages: 1, message_events: 2, delivery_receipts: 1, smsc_submissions: 2, webhook_deliveries: 1, webhook_attempts: 1 });
      expect(await sids(db)).toEqual([sid(2), sid(3)]);
    } finally {
      await db.close();
    }
  }, 120_000);
});
