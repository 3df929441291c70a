// Opt-out keywords with the twilio SDK, on PostgreSQL and PGlite: STOP on a plain number blocks that number
// (400 / 21610), on a pool number the whole service (accepted, then failed / 21610); START lifts it; HELP only
// answers; every keyword gets its auto-reply and reaches the webhook with OptOutType; pool numbers use the
// service's inbound webhook unless UseInboundWebhookOnNumber; the OptOuts extension lists and manages them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import type { Account } from '../../../src/store/account-store.js';
import { receiveSms } from '../../../src/messaging/receive-sms.js';
import { createServiceRelease } from '../../../src/dispatch/service-release.js';
import type { Sweeper } from '../../../src/dispatch/reassembly-sweeper.js';
import { defaultReplies } from '../../../src/messaging/opt-out-keywords.js';
import { newSid } from '../../../src/messaging/sid.js';
import { insertReplies } from '../../../src/webhooks/twiml-reply.js';
import { waitFor } from '../../helpers/wait-for.js';
import { basicAuth, newAccount, rawRequest, restError, sdkClient, startApi, type ApiHarness, type TwilioClient } from '../api/api-harness.js';
import { engines, type Engine } from './engines.js';

let requestCounter = 0;

describe.each(engines)('opt-out on %s (twilio SDK)', (_name, open) => {
  let env: Engine;
  let api: ApiHarness;
  let account: Account;
  let client: TwilioClient;
  let release: Sweeper;

  const inbound = async (from: string, to: string, body: string) => {
    const result = await receiveSms(env.db, {
      fromUser: from.slice(1), toUser: to.slice(1), text: body, payload: Buffer.from(body), coding: 0, udhHex: null,
      smscId: null, deliveryTime: null, requestKey: `opt-out-${++requestCounter}-${Math.random()}`, route: 'sip', reassemblyTimeoutMs: 60_000,
    });
    if (result.outcome !== 'stored') throw new Error(`inbound not stored: ${result.outcome}`);
    return result.messageSid;
  };
  const webhookOf = async (sid: string) => {
    const [row] = await env.db.query<{ url: string; params: Record<string, string> }>(
      `SELECT url, params FROM webhook_deliveries WHERE message_sid = $1 AND kind = 'sms'`, [sid],
    );
    return row;
  };
  const replyTo = async (sid: string) => {
    const [row] = await env.db.query<{ from_address: string; to_address: string; body: string; direction: string; status: string }>(
      'SELECT from_address, to_address, body, direction, status FROM messages WHERE in_reply_to_sid = $1', [sid],
    );
    return row;
  };

  beforeAll(async () => {
    env = await open();
    api = await startApi({ db: env.db });
    account = await newAccount(env.db);
    client = sdkClient(api.baseUrl, account.sid, account.authToken);
    release = createServiceRelease({ db: env.db, logger: pino({ level: 'silent' }), intervalMs: 50, batchSize: 100 });
    release.start();
  });
  afterAll(async () => {
    await release?.stop();
    await api?.close();
    await env?.drop();
  });

  it('STOP blocks one number (21610), START lifts it, HELP only answers; each with its reply and OptOutType', async () => {
    await client.incomingPhoneNumbers.create({ phoneNumber: '+12125550100', smsUrl: 'https://hooks.example.com/number' });
    await client.incomingPhoneNumbers.create({ phoneNumber: '+13105550100' });
    const user = '+15551112222';
    const stop = await inbound(user, '+12125550100', ' stop ');
    expect((await webhookOf(stop))?.params).toMatchObject({ OptOutType: 'STOP', Body: ' stop ' });
    expect(await replyTo(stop)).toEqual({
      from_address: '+12125550100', to_address: user, body: defaultReplies().STOP, direction: 'outbound-reply', status: 'queued',
    });
    expect(await restError(client.messages.create({ to: user, from: '+12125550100', body: 'promo' })))
      .toMatchObject({ status: 400, code: 21610, message: 'Attempt to send to unsubscribed recipient' });
    expect((await client.messages.create({ to: user, from: '+13105550100', body: 'other number' })).status).toBe('queued');
    // A TwiML reply to the STOP (an echo bot, say) is not sent either.
    const echo = {
      sid: newSid('SM'), accountSid: account.sid, inReplyToSid: stop, from: '+12125550100', to: user, body: 'Echo: stop',
      numSegments: 1, coding: 0 as const, statusCallback: null, statusCallbackMethod: 'POST' as const, checkOwner: true,
      apiDialect: null, sipHeaders: null,
    };
    expect(await insertReplies(env.db.query, [echo])).toEqual(new Set());
    expect(await insertReplies(env.db.query, [{ ...echo, sid: newSid('SM'), from: '+13105550100' }])).toHaveProperty('size', 1);

    const notKeyword = await inbound(user, '+12125550100', 'STOP PLEASE');
    expect((await webhookOf(notKeyword))?.params.OptOutType).toBeUndefined();
    expect(await replyTo(notKeyword)).toBeUndefined();

    const help = await inbound(user, '+12125550100', 'help');
    expect((await webhookOf(help))?.params.OptOutType).toBe('HELP');
    expect((await replyTo(help))?.body).toBe(defaultReplies().HELP);
    expect(await restError(client.messages.create({ to: user, from: '+12125550100', body: 'still blocked' }))).toMatchObject({ code: 21610 });

    const start = await inbound(user, '+12125550100', 'Unstop');
    expect((await webhookOf(start))?.params.OptOutType).toBe('START');
    expect((await replyTo(start))?.body).toBe(defaultReplies().START);
    expect((await client.messages.create({ to: user, from: '+12125550100', body: 'welcome back' })).status).toBe('queued');
  });

  it('on a pool number covers the whole service, uses its webhook and replies, and fails service sends with 21610', async () => {
    const service = await client.messaging.v1.services.create({
      friendlyName: 'Opt', inboundRequestUrl: 'https://hooks.example.com/service-in', statusCallback: 'https://hooks.example.com/status',
    });
    // The extension parameter is not in the SDK's options: raw form, as any HTTP client sends it.
    const updated = await rawRequest({
      baseUrl: api.baseUrl, path: `/v1/Services/${service.sid}`, method: 'POST', auth: basicAuth(account.sid, account.authToken),
      form: { SmscOptOutReply: 'Bye from Acme. START to return.' },
    });
    expect(updated.json).toMatchObject({ smsc_opt_out_reply: 'Bye from Acme. START to return.', smsc_help_reply: defaultReplies().HELP });
    for (const phoneNumber of ['+14155550100', '+14155550101']) {
      const number = await client.incomingPhoneNumbers.create({ phoneNumber, smsUrl: 'https://hooks.example.com/own' });
      await client.messaging.v1.services(service.sid).phoneNumbers.create({ phoneNumberSid: number.sid });
    }
    const user = '+15553334444';
    const stop = await inbound(user, '+14155550100', 'UNSUBSCRIBE');
    const hook = await webhookOf(stop);
    expect(hook?.url).toBe('https://hooks.example.com/service-in');
    expect(hook?.params).toMatchObject({ MessagingServiceSid: service.sid, OptOutType: 'STOP' });
    expect((await replyTo(stop))?.body).toBe('Bye from Acme. START to return.');

    const viaService = await client.messages.create({ to: user, messagingServiceSid: service.sid, body: 'promo' });
    expect(viaService.status).toBe('accepted');
    const failed = await waitFor('failed', async () => {
      const m = await client.messages(viaService.sid).fetch();
      return m.status === 'failed' ? m : undefined;
    });
    expect(failed.errorCode).toBe(21610);
    expect(await restError(client.messages.create({ to: user, from: '+14155550101', body: 'other pool number' }))).toMatchObject({ code: 21610 });

    const list = await rawRequest({ baseUrl: api.baseUrl, path: `/2010-04-01/Accounts/${account.sid}/OptOuts.json?To=%2B15553334444`, auth: basicAuth(account.sid, account.authToken) });
    expect(list.status).toBe(200);
    expect((list.json as { opt_outs: unknown[] }).opt_outs).toEqual([expect.objectContaining({ to: user, sender: service.sid, scope: 'service', keyword: 'UNSUBSCRIBE' })]);

    await inbound(user, '+14155550101', 'START');
    const after = await client.messages.create({ to: user, messagingServiceSid: service.sid, body: 'welcome back' });
    await waitFor('queued', async () => (await client.messages(after.sid).fetch()).status === 'queued');

    // With UseInboundWebhookOnNumber the number's own SmsUrl wins.
    await client.messaging.v1.services(service.sid).update({ useInboundWebhookOnNumber: true });
    const plain = await inbound(user, '+14155550100', 'hello');
    expect(await webhookOf(plain)).toMatchObject({ url: 'https://hooks.example.com/own', params: { MessagingServiceSid: service.sid } });
  });

  it('creates, fetches and deletes opt-outs through the extension API', async () => {
    const auth = basicAuth(account.sid, account.authToken);
    const path = `/2010-04-01/Accounts/${account.sid}/OptOuts`;
    const created = await rawRequest({ baseUrl: api.baseUrl, path: `${path}.json`, method: 'POST', auth, form: { To: '+15559990000', Sender: '+12125550100' } });
    expect(created.status).toBe(201);
    const sid = (created.json as { sid: string }).sid;
    expect(created.json).toMatchObject({ scope: 'number', sender: '+12125550100', to: '+15559990000', keyword: null, uri: `${path}/${sid}.json` });
    expect(await restError(client.messages.create({ to: '+15559990000', from: '+12125550100', body: 'x' }))).toMatchObject({ code: 21610 });
    expect((await rawRequest({ baseUrl: api.baseUrl, path: `${path}/${sid}.json`, auth })).status).toBe(200);
    expect((await rawRequest({ baseUrl: api.baseUrl, path: `${path}/${sid}.json`, method: 'DELETE', auth })).status).toBe(204);
    expect((await client.messages.create({ to: '+15559990000', from: '+12125550100', body: 'x' })).status).toBe('queued');
    const refused = await rawRequest({ baseUrl: api.baseUrl, path: `${path}.json`, method: 'POST', auth, form: { To: '+15559990000', Sender: '+19999999999' } });
    expect(refused.json).toMatchObject({ status: 400, code: 21606 });
    const stranger = await newAccount(env.db, 'Stranger');
    const theirs = await rawRequest({ baseUrl: api.baseUrl, path: `${path}.json`, auth: basicAuth(stranger.sid, stranger.authToken) });
    expect(theirs.status).toBe(401);
  });
});
