// The dispatcher logs one info line per message it sent or failed, with the message's SID.
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../src/store/database.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { ACCEPT, createFakeSmscGateway, permanentFailure } from '../../fakes/fake-smsc-gateway.js';
import { insertQueuedMessages, newAccount, statusCounts, testDispatcher, waitFor } from './dispatch-fixtures.js';

let testDb: TestDatabase;
let db: Database;

beforeAll(async () => {
  testDb = await createTestDatabase();
  db = await testDb.open();
});

afterAll(async () => {
  await db.close();
  await testDb.drop();
});

function capturingLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

describe('dispatcher outcome log', () => {
  it('writes "message sent" and "message failed" at info with the messageSid', async () => {
    const account = await newAccount(db);
    const sent = await insertQueuedMessages(db, account, 2, { to: '+447700900123' });
    const [failed] = await insertQueuedMessages(db, account, 1, { to: '+447700900999' });
    const sip = createFakeSmscGateway({
      script: (message, attempt) => (message.to === '+447700900999' ? permanentFailure(30005, 'Unknown destination handset') : ACCEPT(message, attempt)),
    });
    const { logger, lines } = capturingLogger();
    const dispatcher = testDispatcher({ db, gateways: { sip }, logger });
    dispatcher.start();
    try {
      await waitFor('all settled', async () => {
        const counts = await statusCounts(db);
        return counts.sent === 2 && counts.failed === 1;
      });
      await waitFor('three outcome lines', () => lines.filter((l) => l.msg === 'message sent' || l.msg === 'message failed').length === 3);
    } finally {
      await dispatcher.stop({ drainMs: 1000 });
    }
    const sentLines = lines.filter((line) => line.msg === 'message sent');
    expect(sentLines.map((line) => line.messageSid).sort()).toEqual([...sent].sort());
    expect(sentLines[0]).toMatchObject({ level: 30, component: 'outbound-dispatcher', route: 'sip' });
    expect(lines.filter((line) => line.msg === 'message failed')).toEqual([
      expect.objectContaining({ level: 30, messageSid: failed, route: 'sip', errorCode: 30005, errorMessage: 'Unknown destination handset' }),
    ]);
  });
});
