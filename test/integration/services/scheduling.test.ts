// Scheduled messages with the twilio SDK, on PostgreSQL and PGlite: sendAt/scheduleType through a service,
// status scheduled, released to queued at SendAt and not before, Twilio's 351xx errors, cancel with its
// callback; on PostgreSQL, two instances release each message exactly once and a stopped one loses none.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import type { Account } from '../../../src/store/account-store.js';
import { createServiceRelease } from '../../../src/dispatch/service-release.js';
import type { Sweeper } from '../../../src/dispatch/reassembly-sweeper.js';
import type { Database } from '../../../src/store/database.js';
import { waitFor } from '../../helpers/wait-for.js';
import { newAccount, restError, sdkClient, startApi, type ApiHarness, type TwilioClient } from '../api/api-harness.js';
import { engines, type Engine } from './engines.js';

const silent = pino({ level: 'silent' });
const startRelease = (db: Database): Sweeper => {
  const sweeper = createServiceRelease({ db, logger: silent, intervalMs: 50, batchSize: 100 });
  sweeper.start();
  return sweeper;
};
/** A SendAt `seconds` ahead on a whole second (twilio-node drops milliseconds). */
const secondsAhead = (seconds: number) => new Date((Math.floor(Date.now() / 1000) + seconds) * 1000);

describe.each(engines)('scheduled messages on %s (twilio SDK)', (_name, open) => {
  let env: Engine;
  let api: ApiHarness;
  let account: Account;
  let client: TwilioClient;
  let release: Sweeper;
  let serviceSid: string;

  const releaseEvents = (sid: string) => env.db.query<{ at: Date }>(
    `SELECT date_created AS at FROM message_events WHERE message_sid = $1 AND type = 'status' AND status = 'queued' ORDER BY id`, [sid],
  );
  const callbacks = (sid: string) => env.db.query<{ status: string }>(
    `SELECT params->>'MessageStatus' AS status FROM webhook_deliveries WHERE message_sid = $1 ORDER BY id`, [sid],
  );

  beforeAll(async () => {
    env = await open();
    // A 1 s minimum lead instead of Twilio's 300 s, so that the test can watch a message go out.
    api = await startApi({ db: env.db, config: { scheduleWindow: { minLeadS: 1, maxLeadS: 3_024_000 } } });
    account = await newAccount(env.db);
    client = sdkClient(api.baseUrl, account.sid, account.authToken);
    release = startRelease(env.db);
    const service = await client.messaging.v1.services.create({ friendlyName: 'Later', statusCallback: 'https://hooks.example.com/later' });
    serviceSid = service.sid;
    const number = await client.incomingPhoneNumbers.create({ phoneNumber: '+12125550100' });
    await client.messaging.v1.services(serviceSid).phoneNumbers.create({ phoneNumberSid: number.sid });
  });
  afterAll(async () => {
    await release?.stop();
    await api?.close();
    await env?.drop();
  });

  it('answers scheduled, keeps the message until SendAt, then queues it from the pool', async () => {
    const sendAt = secondsAhead(3);
    const created = await client.messages.create({ to: '+15551230001', messagingServiceSid: serviceSid, body: 'later', scheduleType: 'fixed', sendAt });
    expect(created).toMatchObject({ status: 'scheduled', from: null, dateSent: null, numSegments: '0', messagingServiceSid: serviceSid });
    expect((await client.messages(created.sid).fetch()).status).toBe('scheduled');
    const queued = await waitFor('released', async () => {
      const m = await client.messages(created.sid).fetch();
      return m.status === 'queued' ? m : undefined;
    }, { timeoutMs: 15_000 });
    expect(queued.from).toBe('+12125550100');
    const [event] = await releaseEvents(created.sid);
    expect(new Date(event?.at ?? 0).getTime()).toBeGreaterThanOrEqual(sendAt.getTime());
    expect(await callbacks(created.sid)).toEqual([{ status: 'queued' }]); // none for scheduled
  });

  it('answers Twilio\'s scheduling errors', async () => {
    const base = { to: '+15551230002', messagingServiceSid: serviceSid, body: 'x' };
    expect(await restError(client.messages.create({ ...base, scheduleType: 'fixed' }))).toMatchObject({ status: 400, code: 35111 });
    expect(await restError(client.messages.create({ ...base, scheduleType: 'fixed', sendAt: new Date(Date.now() - 60_000) })))
      .toMatchObject({ status: 400, code: 35114 });
    expect(await restError(client.messages.create({ ...base, scheduleType: 'fixed', sendAt: new Date(Date.now() + 40 * 86_400_000) })))
      .toMatchObject({ status: 400, code: 35114 });
    expect(await restError(client.messages.create({ ...base, scheduleType: 'fixed', sendAt: 'next week' as unknown as Date })))
      .toMatchObject({ status: 400, code: 35115 });
    expect(await restError(client.messages.create({ ...base, scheduleType: 'daily' as 'fixed', sendAt: secondsAhead(60) })))
      .toMatchObject({ status: 400, code: 35126 });
    expect(await restError(client.messages.create({ to: '+15551230002', from: '+12125550100', body: 'x', scheduleType: 'fixed', sendAt: secondsAhead(60) })))
      .toMatchObject({ status: 400, code: 35118 });
  });

  it('cancels a scheduled message with a canceled callback, and refuses to cancel twice (30409)', async () => {
    const created = await client.messages.create({
      to: '+15551230003', messagingServiceSid: serviceSid, body: 'never', scheduleType: 'fixed', sendAt: secondsAhead(3600),
    });
    const canceled = await client.messages(created.sid).update({ status: 'canceled' });
    expect(canceled).toMatchObject({ status: 'canceled', dateSent: null });
    expect(await callbacks(created.sid)).toEqual([{ status: 'canceled' }]);
    expect(await restError(client.messages(created.sid).update({ status: 'canceled' }))).toMatchObject({ status: 400, code: 30409 });
  });

  it('releases each message once across two instances, and loses none across a restart', async () => {
    if (env.openAnother === null) return; // PGlite serves one process: the two-instance rule is PostgreSQL's
    const second = startRelease(await env.openAnother());
    const create = async (count: number, sendAt: Date, tag: string) => {
      const sids: string[] = [];
      for (let i = 0; i < count; i++) {
        sids.push((await client.messages.create({ to: `+1555${tag}${String(1000 + i)}`, messagingServiceSid: serviceSid, body: `m${i}`, scheduleType: 'fixed', sendAt })).sid);
      }
      return sids;
    };
    const allReleased = (sids: string[]) => waitFor('all released', async () => {
      const [row] = await env.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM messages WHERE sid = ANY($1::text[]) AND status = 'queued'`, [sids]);
      return row?.n === sids.length;
    }, { timeoutMs: 15_000 });
    const checkOnceAndOnTime = async (sids: string[], sendAt: Date) => {
      for (const sid of sids) {
        const events = await releaseEvents(sid);
        expect(events).toHaveLength(1);
        expect(new Date(events[0]?.at ?? 0).getTime()).toBeGreaterThanOrEqual(sendAt.getTime());
      }
    };
    // Both instances poll the same rows at once.
    const together = secondsAhead(3);
    const first = await create(30, together, '124');
    await allReleased(first);
    await checkOnceAndOnTime(first, together);

    // Every instance is down at SendAt; the restarted one sends what came due meanwhile.
    await release.stop();
    await second.stop();
    const during = secondsAhead(2);
    const pending = await create(5, during, '125');
    await waitFor('SendAt passed', () => Date.now() > during.getTime() + 500, { timeoutMs: 10_000 });
    const [still] = await env.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM messages WHERE sid = ANY($1::text[]) AND status = 'scheduled'`, [pending]);
    expect(still?.n).toBe(5);
    release = startRelease(await env.openAnother());
    await allReleased(pending);
    await checkOnceAndOnTime(pending, during);
  });
});
