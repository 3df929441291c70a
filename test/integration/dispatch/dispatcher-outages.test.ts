// Issue 12, points 8 and 9, at the dispatcher: a route whose gateway is not ready is not claimed while other
// routes flow; and the slow mode of an SMSC outage ends on the first accepted send, the loop polling at once
// rather than sleeping out its (doubling) delay.
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { OutboundSms, SmscGateway, SubmitResult } from '../../../src/messaging/smsc-gateway.js';
import type { Database } from '../../../src/store/database.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { createFakeSmscGateway, temporaryFailure } from '../../fakes/fake-smsc-gateway.js';
import { insertQueuedMessages, newAccount, statusCounts, testDispatcher, waitFor } from './dispatch-fixtures.js';

let testDb: TestDatabase;
let db: Database;
const running: Array<ReturnType<typeof testDispatcher>> = [];

beforeAll(async () => {
  testDb = await createTestDatabase();
  db = await testDb.open();
});
afterEach(async () => {
  for (const dispatcher of running.splice(0)) await dispatcher.stop({ drainMs: 100 });
  await db.query('DELETE FROM message_events');
  await db.query('DELETE FROM messages');
});
afterAll(async () => {
  await db.close();
  await testDb.drop();
});

it('claims nothing of a route whose gateway is not ready while the other route flows', async () => {
  const account = await newAccount(db);
  const held = await insertQueuedMessages(db, account, 20, { route: 'smpp', body: 'over smpp' });
  await insertQueuedMessages(db, account, 20, { body: 'over sip' });
  const sip = createFakeSmscGateway();
  const smpp = createFakeSmscGateway({ route: 'smpp', ready: false });
  // Claims counted: with a route held each one reads past that route's backlog, so they are paced.
  let claims = 0;
  const counted: Database = {
    ...db,
    transaction: (work) => db.transaction((query) => work((async (text: string, params?: readonly unknown[]) => {
      if (text.includes('WITH candidates')) claims += 1;
      return query(text, params);
    }) as typeof query)),
  };
  const dispatcher = testDispatcher({ db: counted, gateways: { sip, smpp } });
  running.push(dispatcher);
  dispatcher.start();
  await waitFor('the SIP messages sent', async () => (await statusCounts(db)).sent === 20);
  const claimsBefore = claims;
  await new Promise((resolve) => setTimeout(resolve, 1_000)); // 50 poll intervals: the old loop claimed at every one
  // Paced claims double their pause from one poll (20 ms) to ten: about 8 in a second, instead of 50.
  expect(claims - claimsBefore).toBeLessThanOrEqual(15);
  const [events] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM message_events WHERE message_sid = ANY($1::text[])', [held]);
  expect({ claimed: dispatcher.stats().claimed, deferred: dispatcher.stats().deferred, heldEvents: events?.n }).toEqual({ claimed: 20, deferred: 0, heldEvents: 0 });
  expect(await dispatcher.queuedByRoute()).toEqual([{ route: 'smpp', queued: 20 }]);
  expect(dispatcher.routeReadiness()).toEqual([{ route: 'sip', ready: true }, { route: 'smpp', ready: false }]);

  smpp.setReady(true);
  await waitFor('the SMPP messages sent', async () => (await statusCounts(db)).sent === 40);
  expect([...smpp.countsBySid().values()]).toEqual(held.map(() => 1));
});

/** An SMSC that fails every submission at once ('down'), holds them unanswered ('hold'), or accepts ('up'). */
function recoveringSmsc() {
  let mode: 'down' | 'hold' | 'up' = 'down';
  const starts: number[] = [];
  const held: Array<(result: SubmitResult) => void> = [];
  const accepted: SubmitResult = { kind: 'accepted', smscMessageIds: [], detail: {} };
  const gateway: SmscGateway = {
    route: 'sip',
    isReady: () => true,
    submit: (_message: OutboundSms) => {
      starts.push(Date.now());
      if (mode === 'down') return Promise.resolve(temporaryFailure('silent SMSC'));
      if (mode === 'up') return Promise.resolve(accepted);
      return new Promise<SubmitResult>((resolve) => held.push(resolve));
    },
  };
  return {
    gateway, starts, held,
    setMode: (next: typeof mode) => { mode = next; },
    answerHeld: () => { for (const resolve of held.splice(0)) resolve(accepted); },
  };
}

it('leaves slow mode on the first accepted send and sends the rest at once', async () => {
  const account = await newAccount(db);
  await insertQueuedMessages(db, account, 40);
  const smsc = recoveringSmsc();
  // Slow-mode delays double from the poll interval (20 ms) up to a minute.
  const dispatcher = testDispatcher({ db, gateways: { sip: smsc.gateway }, maxInFlight: 4, retry: { baseMs: 20, maxMs: 60_000 } });
  running.push(dispatcher);
  dispatcher.start();
  // With due messages a loop not in slow mode never pauses 1.2 s between two sends; then the next pause is twice that.
  await waitFor('a slow-mode probe 1.2 s after the previous send', () => {
    const [before, last] = smsc.starts.slice(-2);
    return before !== undefined && last !== undefined && last - before >= 1_200;
  }, { timeoutMs: 20_000 });
  smsc.setMode('hold');
  await waitFor('the next slow-mode probe, left unanswered', () => smsc.held.length === 1, { timeoutMs: 10_000 });
  const gapMs = (smsc.starts.at(-1) as number) - (smsc.starts.at(-2) as number);
  smsc.setMode('up');
  smsc.answerHeld();
  const answeredAt = Date.now();
  // The old loop slept 2 × gap before its next probe; capped at half of that, only a loop woken by the answer passes.
  await waitFor('more sends after the accepted probe', () => smsc.starts.filter((at) => at >= answeredAt).length >= 8, { timeoutMs: gapMs });
  await waitFor('every message sent', async () => (await statusCounts(db)).sent === 40, { timeoutMs: 20_000 });
  expect(dispatcher.stats().slowMode).toBe(false);
});
