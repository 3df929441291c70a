// Issue 12, point 7: SMPP receipts go to the message whose submission carries their id as stored. With an SMSC
// that hands out sequential ids, another spelling of one id is the id of another message ("30" read as hex is 48;
// hex "10" read as decimal is 0x0a), so a matcher that takes the newest row of any spelling gave receipts to the
// wrong messages: some got two, others none. 1000 messages per id style, each must be delivered by exactly one
// receipt, its own.
import { afterEach, describe, expect, it } from 'vitest';
import type { SmppMessageIdStyle } from '../../../src/simulator/receipt-message.js';
import { startStack, waitFor, type Stack } from './harness.js';

const COUNT = 1000;
const HANDSET = '+447700900123';
let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

async function sendAll(target: Stack, count: number): Promise<string[]> {
  const sids: string[] = new Array<string>(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      const created = await target.api.createMessage({ To: HANDSET, From: '+15005550006', Body: `receipt id test ${index}` });
      expect(created.status).toBe(201);
      sids[index] = created.body.sid as string;
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  return sids;
}

describe.each<[SmppMessageIdStyle, RegExp]>([
  ['decimal', /^[1-9]\d{0,3}$/],
  ['hex', /^[1-9a-f][0-9a-f]{0,2}$/],
])('an SMSC handing out %s message ids', (style, idShape) => {
  it(`delivers each of ${COUNT} messages by exactly one receipt, its own`, async () => {
    // Receipts come 400 ms after the submit, so each one arrives after dozens of later ids exist.
    stack = await startStack({ env: { SMSC_DEFAULT_ROUTE: 'smpp' }, receipts: { delayMs: 400 }, smppMessageIds: style });
    expect((await stack.api.createNumber({ PhoneNumber: '+15005550006' })).status).toBe(201);
    const sids = await sendAll(stack, COUNT);
    const db = stack.service.db;
    // A receipt that settles its message is kept on it (messages.receipt); any other is a delivery_receipts row.
    await waitFor(`${COUNT} receipts stored`, async () => {
      const [row] = await db.query<{ n: number }>(
        `SELECT (SELECT count(*) FROM delivery_receipts WHERE source = 'smpp') + (SELECT count(*) FROM messages WHERE receipt IS NOT NULL)
         AS n`);
      return Number(row?.n ?? 0) >= COUNT;
    }, { timeoutMs: 120_000, intervalMs: 250 });
    await waitFor('every receipt matched or given up', async () => {
      const [row] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM delivery_receipts WHERE message_sid IS NULL AND next_match_at IS NOT NULL');
      return row?.n === 0;
    }, { timeoutMs: 60_000, intervalMs: 250 });

    const submissions = await db.query<{ message_sid: string; smsc_message_id: string }>(
      `SELECT message_sid, smsc_message_id FROM smsc_submissions WHERE route = 'smpp'
       UNION ALL SELECT sid, smsc_message_id FROM messages WHERE smsc_message_id IS NOT NULL`,
    );
    expect(submissions).toHaveLength(COUNT);
    expect(submissions.every((s) => idShape.test(s.smsc_message_id))).toBe(true);
    const ownId = new Map(submissions.map((s) => [s.message_sid, s.smsc_message_id]));

    const applied = await db.query<{ message_sid: string | null; smsc_message_id: string }>(
      `SELECT message_sid, smsc_message_id FROM delivery_receipts WHERE source = 'smpp'
       UNION ALL SELECT sid, receipt->>'smscMessageId' FROM messages WHERE receipt->>'source' = 'smpp'`,
    );
    const perMessage = new Map<string, number>();
    for (const receipt of applied) {
      if (receipt.message_sid !== null) perMessage.set(receipt.message_sid, (perMessage.get(receipt.message_sid) ?? 0) + 1);
    }
    const wrong = applied.filter((r) => r.message_sid !== null && ownId.get(r.message_sid) !== r.smsc_message_id);
    const twice = [...perMessage.values()].filter((n) => n > 1).length;
    const none = sids.filter((sid) => !perMessage.has(sid)).length;
    console.info(`${style} ids: ${wrong.length} receipts on the wrong message, ${twice} messages with two or more, ${none} with none`);
    expect({ wrong: wrong.length, twice, none }).toEqual({ wrong: 0, twice: 0, none: 0 });

    const statuses = await db.query<{ status: string; n: number }>(
      'SELECT status, count(*)::int AS n FROM messages WHERE sid = ANY($1::text[]) GROUP BY status',
      [sids],
    );
    expect(statuses).toEqual([{ status: 'delivered', n: COUNT }]);
    // Each message was settled by exactly one receipt, kept on it: no delivery_receipts row for any of them.
    const [kept] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM messages WHERE sid = ANY($1::text[]) AND receipt IS NOT NULL', [sids]);
    expect(kept?.n).toBe(COUNT);
    expect(await db.query('SELECT id FROM delivery_receipts WHERE message_sid = ANY($1::text[])', [sids])).toEqual([]);
    const metrics = await (await fetch(`${stack.service.url}/metrics`)).text();
    expect(metrics).toContain(`smsc_smpp_receipt_id_matches_total{match="exact"} ${COUNT}`);
    expect(metrics).toContain('smsc_smpp_receipt_id_matches_total{match="alternate"} 0');
  }, 240_000);
});
