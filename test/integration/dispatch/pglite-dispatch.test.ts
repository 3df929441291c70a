// The same pipeline on embedded PGlite (one connection, transactions serialised by PGlite itself).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../src/store/database.js';
import { createPgliteDatabase } from '../../helpers/test-database.js';
import { createFakeSmscGateway, temporaryFailure } from '../../fakes/fake-smsc-gateway.js';
import { insertQueuedMessages, newAccount, statusCounts, testDispatcher, waitFor } from './dispatch-fixtures.js';

let db: Database;

beforeAll(async () => {
  db = await createPgliteDatabase();
});

afterAll(async () => {
  await db.close();
});

describe('outbound dispatcher on PGlite', () => {
  it('sends a burst once each, retries a temporary failure, and queues callbacks', async () => {
    const account = await newAccount(db);
    const sids = await insertQueuedMessages(db, account, 100, { statusCallback: 'https://app.test/cb' });
    const sip = createFakeSmscGateway({ script: (m, attempt) => (m.sid === sids[0] && attempt === 1 ? temporaryFailure() : { kind: 'accepted', smscMessageIds: [], detail: {} }) });
    const dispatcher = testDispatcher({ db, gateways: { sip } });
    dispatcher.start();
    try {
      await waitFor('all sent', async () => (await statusCounts(db)).sent === 100);
    } finally {
      await dispatcher.stop({ drainMs: 500 });
    }

    expect(sip.submissions).toHaveLength(101);
    expect(sip.countsBySid().get(sids[0]!)).toBe(2);
    const callbacks = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM webhook_deliveries WHERE kind = 'status_callback' AND params->>'MessageStatus' = 'sent'`,
    );
    expect(callbacks).toEqual([{ n: 100 }]);
    expect(await db.query(`SELECT attempts FROM messages WHERE sid = $1`, [sids[0]])).toEqual([{ attempts: 2 }]);
  });
});
