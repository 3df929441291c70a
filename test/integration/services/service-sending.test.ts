// Sending through a Messaging Service with the twilio SDK, on PostgreSQL and PGlite: From optional, pool sender
// with area-code geomatch and sticky sender, accepted → queued with a `queued` callback, the service's status
// callback and validity period with the message's own winning, and Twilio's errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import type { Account } from '../../../src/store/account-store.js';
import { createServiceRelease } from '../../../src/dispatch/service-release.js';
import type { Sweeper } from '../../../src/dispatch/reassembly-sweeper.js';
import { waitFor } from '../../helpers/wait-for.js';
import { newAccount, restError, sdkClient, startApi, type ApiHarness, type TwilioClient } from '../api/api-harness.js';
import { engines, type Engine } from './engines.js';

describe.each(engines)('sending through a Messaging Service on %s (twilio SDK)', (_name, open) => {
  let env: Engine;
  let api: ApiHarness;
  let account: Account;
  let client: TwilioClient;
  let release: Sweeper;
  let serviceSid: string;

  const queuedMessage = (sid: string) => waitFor(`${sid} queued`, async () => {
    const m = await client.messages(sid).fetch();
    return m.status === 'queued' ? m : undefined;
  });
  const callbacks = (sid: string) => env.db.query<{ url: string; status: string }>(
    `SELECT url, params->>'MessageStatus' AS status FROM webhook_deliveries WHERE message_sid = $1 AND kind = 'status_callback' ORDER BY id`, [sid],
  );

  beforeAll(async () => {
    env = await open();
    api = await startApi({ db: env.db });
    account = await newAccount(env.db);
    client = sdkClient(api.baseUrl, account.sid, account.authToken);
    release = createServiceRelease({ db: env.db, logger: pino({ level: 'silent' }), intervalMs: 50, batchSize: 100 });
    release.start();
    const service = await client.messaging.v1.services.create({
      friendlyName: 'Pool', stickySender: true, areaCodeGeomatch: true, validityPeriod: 600,
      statusCallback: 'https://hooks.example.com/service-status',
    });
    serviceSid = service.sid;
    for (const phoneNumber of ['+12125550100', '+15125550100', '+13105550100']) {
      const number = await client.incomingPhoneNumbers.create({ phoneNumber });
      await client.messaging.v1.services(serviceSid).phoneNumbers.create({ phoneNumberSid: number.sid });
    }
  });
  afterAll(async () => {
    await release?.stop();
    await api?.close();
    await env?.drop();
  });

  it('answers accepted with from null, then queues from the pool with a queued callback to the service\'s URL', async () => {
    const created = await client.messages.create({ to: '+15125559876', messagingServiceSid: serviceSid, body: 'via the pool' });
    expect(created).toMatchObject({ status: 'accepted', from: null, messagingServiceSid: serviceSid, numSegments: '0', dateSent: null });
    const queued = await queuedMessage(created.sid);
    expect(queued).toMatchObject({ from: '+15125550100', messagingServiceSid: serviceSid, numSegments: '1' }); // same area code
    expect(await callbacks(created.sid)).toEqual([{ url: 'https://hooks.example.com/service-status', status: 'queued' }]);
    const [params] = await env.db.query<{ service: string; from: string }>(
      `SELECT params->>'MessagingServiceSid' AS service, params->>'From' AS from FROM webhook_deliveries WHERE message_sid = $1`, [created.sid],
    );
    expect(params).toEqual({ service: serviceSid, from: '+15125550100' });
    const [validity] = await env.db.query<{ seconds: number }>(
      'SELECT round(extract(epoch FROM valid_until - date_created))::int AS seconds FROM messages WHERE sid = $1', [created.sid],
    );
    expect(validity?.seconds).toBe(600);
  });

  it('keeps a recipient on its first sender (sticky), and takes an MG SID in From', async () => {
    const to = '+447700900123'; // no area or country match in the pool
    const first = await queuedMessage((await client.messages.create({ to, messagingServiceSid: serviceSid, body: 'one' })).sid);
    const second = await queuedMessage((await client.messages.create({ to, from: serviceSid, body: 'two' })).sid);
    expect(second.from).toBe(first.from);
    expect(second.messagingServiceSid).toBe(serviceSid);
    const [mapping] = await env.db.query<{ from_address: string }>('SELECT from_address FROM sticky_senders WHERE service_sid = $1 AND to_address = $2', [serviceSid, to]);
    expect(mapping?.from_address).toBe(first.from);
  });

  it('lets the message\'s StatusCallback and ValidityPeriod win over the service\'s; an explicit From must be in the pool', async () => {
    const created = await client.messages.create({
      to: '+15125550001', messagingServiceSid: serviceSid, from: '+13105550100', body: 'own callback',
      statusCallback: 'https://hooks.example.com/own', validityPeriod: 60,
    });
    expect(created.status).toBe('accepted');
    expect((await queuedMessage(created.sid)).from).toBe('+13105550100');
    expect(await callbacks(created.sid)).toEqual([{ url: 'https://hooks.example.com/own', status: 'queued' }]);
    const [validity] = await env.db.query<{ seconds: number }>(
      'SELECT round(extract(epoch FROM valid_until - date_created))::int AS seconds FROM messages WHERE sid = $1', [created.sid],
    );
    expect(validity?.seconds).toBe(60);
    const outsider = await client.incomingPhoneNumbers.create({ phoneNumber: '+16175550100' });
    expect(await restError(client.messages.create({ to: '+15125550001', messagingServiceSid: serviceSid, from: outsider.phoneNumber, body: 'x' })))
      .toMatchObject({ status: 400, code: 21606 });
  });

  it('answers Twilio\'s errors for unknown, malformed and empty services', async () => {
    expect(await restError(client.messages.create({ to: '+15125550001', messagingServiceSid: `MG${'0'.repeat(32)}`, body: 'x' })))
      .toMatchObject({ status: 404, code: 21701 });
    expect(await restError(client.messages.create({ to: '+15125550001', messagingServiceSid: 'MG123', body: 'x' })))
      .toMatchObject({ status: 400, code: 21705 });
    const empty = await client.messaging.v1.services.create({ friendlyName: 'Empty' });
    expect(await restError(client.messages.create({ to: '+15125550001', messagingServiceSid: empty.sid, body: 'x' })))
      .toMatchObject({ status: 400, code: 21704 });
    expect(await restError(client.messages.create({ to: '+15125550001', body: 'x' }))).toMatchObject({ status: 400, code: 21603 });
    // Another account's service does not exist for this one.
    const stranger = await newAccount(env.db, 'Stranger');
    const theirs = sdkClient(api.baseUrl, stranger.sid, stranger.authToken);
    expect(await restError(theirs.messages.create({ to: '+15125550001', messagingServiceSid: serviceSid, body: 'x' })))
      .toMatchObject({ status: 404, code: 21701 });
  });

  it('fails a message whose pool emptied before release with 21703, and calls back failed', async () => {
    const lonely = await client.messaging.v1.services.create({ friendlyName: 'Lonely', statusCallback: 'https://hooks.example.com/lonely' });
    const number = await client.incomingPhoneNumbers.create({ phoneNumber: '+17185550100' });
    await client.messaging.v1.services(lonely.sid).phoneNumbers.create({ phoneNumberSid: number.sid });
    await release.stop();
    const created = await client.messages.create({ to: '+15125550002', messagingServiceSid: lonely.sid, body: 'x' });
    await client.messaging.v1.services(lonely.sid).phoneNumbers(number.sid).remove();
    release = createServiceRelease({ db: env.db, logger: pino({ level: 'silent' }), intervalMs: 50, batchSize: 100 });
    release.start();
    const failed = await waitFor('failed', async () => {
      const m = await client.messages(created.sid).fetch();
      return m.status === 'failed' ? m : undefined;
    });
    expect(failed).toMatchObject({ errorCode: 21703, from: null });
    expect(await callbacks(created.sid)).toEqual([{ url: 'https://hooks.example.com/lonely', status: 'failed' }]);
  });
});
