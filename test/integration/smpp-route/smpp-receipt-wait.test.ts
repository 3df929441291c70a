// Issue 13, point 2, end to end: with an SMSC that receipts at once, most receipts arrive before the dispatcher
// has written their message `sent` with its SMSC id. They wait in memory for that write
// (dispatch/pending-outcomes.ts) and are applied on their first attempt: none is parked in delivery_receipts.
// Half the messages have two parts: the first part's receipt comes before the second part is even answered, so
// writing the buffered outcomes first (the batch's beforeBatch) cannot help it; the wait does.
import { afterEach, describe, expect, it } from 'vitest';
import { startStack, waitFor, type Stack } from './harness.js';

const COUNT = 200;
let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

describe('SMPP receipts that beat their own "sent" write', () => {
  it(`applies the instant receipts of ${COUNT} messages (half of them in two parts) without parking any`, async () => {
    stack = await startStack({ env: { SMSC_DEFAULT_ROUTE: 'smpp' }, receipts: { delayMs: 0 } });
    expect((await stack.api.createNumber({ PhoneNumber: '+15005550006' })).status).toBe(201);
    const sids: string[] = [];
    let next = 0;
    await Promise.all(Array.from({ length: 8 }, async () => {
      while (next < COUNT) {
        const index = next++;
        const created = await (stack as Stack).api.createMessage({ To: '+447700900123', From: '+15005550006', Body: index % 2 === 0 ? `instant ${index}` : `instant ${index} ${'in two parts '.repeat(14)}` });
        expect(created.status).toBe(201);
        sids.push(created.body.sid as string);
      }
    }));
    const db = stack.service.db;
    await waitFor(`${COUNT} messages delivered`, async () => {
      const [row] = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM messages WHERE sid = ANY($1::text[]) AND status = 'delivered'", [sids]);
      return row?.n === COUNT;
    }, { timeoutMs: 60_000, intervalMs: 250 });
    const receipts = await db.query<{ attempts: number; n: number }>(
      "SELECT match_attempts AS attempts, count(*)::int AS n FROM delivery_receipts WHERE source = 'smpp' GROUP BY match_attempts",
    );
    // The receipt that settles each message is kept on it; only the first part receipts of the two-part messages,
    // which settle nothing, are rows, and none was parked (all matched at their first attempt).
    expect(receipts).toEqual([{ attempts: 1, n: COUNT / 2 }]);
    const [kept] = await db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM messages WHERE sid = ANY($1::text[]) AND receipt->>'source' = 'smpp' AND receipt->>'stat' = 'DELIVRD'", [sids]);
    expect(kept?.n).toBe(COUNT);
  });
});
