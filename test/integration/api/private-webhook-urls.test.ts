// WEBHOOK_ALLOW_PRIVATE_URLS=false at create time (issue 12 point 11): a webhook URL that names a private IP
// address literally can never be called, so Messages and IncomingPhoneNumbers refuse it with Twilio's URL error
// (21609 StatusCallback, 21502 a number's URLs) instead of accepting it and failing every webhook later.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import type { Database } from '../../../src/store/database.js';
import { newAccount, restError, sdkClient, startApi, type ApiHarness, type TwilioClient } from './api-harness.js';

const FROM = '+15005550006';
const TO = '+15551234567';
const PRIVATE_URLS = [
  'http://10.0.0.1/cb', 'http://127.0.0.1:8080/cb', 'https://169.254.169.254/latest', 'http://[::1]/cb',
  'http://[64:ff9b::a00:1]/cb', 'http://[2002:c0a8:101::1]/cb', 'http://[::ffff:0:7f00:1]/cb', 'http://[fd00::1]/cb',
];

describe('private webhook URLs at create time (PostgreSQL)', () => {
  let testDb: TestDatabase;
  let db: Database;
  let strict: ApiHarness;
  let open: ApiHarness;
  let client: TwilioClient;
  let openClient: TwilioClient;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    db = await testDb.open();
    strict = await startApi({ db, config: { allowPrivateWebhookUrls: false } });
    open = await startApi({ db });
    const account = await newAccount(db);
    client = sdkClient(strict.baseUrl, account.sid, account.authToken);
    openClient = sdkClient(open.baseUrl, account.sid, account.authToken);
    await client.incomingPhoneNumbers.create({ phoneNumber: FROM });
  });
  afterAll(async () => {
    await strict?.close();
    await open?.close();
    await db?.close();
    await testDb?.drop();
  });

  it.each(PRIVATE_URLS)('a message with StatusCallback %s is refused with 21609', async (url) => {
    expect(await restError(client.messages.create({ to: TO, from: FROM, body: 'x', statusCallback: url }))).toEqual({
      status: 400, code: 21609, message: `Invalid StatusCallback url: ${url}`, moreInfo: 'https://www.twilio.com/docs/errors/21609',
    });
  });

  it('public addresses and host names are accepted (host names are judged when called)', async () => {
    for (const url of ['https://hooks.example.com/cb', 'http://8.8.8.8/cb', 'http://[64:ff9b::808:808]/cb', 'http://localhost/cb']) {
      const message = await client.messages.create({ to: TO, from: FROM, body: 'x', statusCallback: url });
      expect(message.status).toBe('queued');
    }
  });

  it.each(PRIVATE_URLS)('a number with SmsUrl, SmsFallbackUrl or StatusCallback %s is refused with 21502', async (url) => {
    expect(await restError(client.incomingPhoneNumbers.create({ phoneNumber: '+15005550400', smsUrl: url }))).toMatchObject({
      status: 400, code: 21502, message: `Invalid SmsUrl: ${url}`,
    });
    const number = await client.incomingPhoneNumbers.list({ phoneNumber: FROM });
    const sid = number[0]?.sid ?? '';
    expect(await restError(client.incomingPhoneNumbers(sid).update({ smsUrl: 'https://app.example.com/sms', smsFallbackUrl: url })))
      .toMatchObject({ status: 400, code: 21502, message: `Invalid SmsFallbackUrl: ${url}` });
    expect(await restError(client.incomingPhoneNumbers(sid).update({ statusCallback: url })))
      .toMatchObject({ status: 400, code: 21502, message: `Invalid StatusCallback: ${url}` });
  });

  it('with private URLs allowed (the default), the same URLs are stored', async () => {
    const message = await openClient.messages.create({ to: TO, from: FROM, body: 'x', statusCallback: 'http://10.0.0.1/cb' });
    expect(message.status).toBe('queued');
    const number = await openClient.incomingPhoneNumbers.create({ phoneNumber: '+15005550401', smsUrl: 'http://[64:ff9b::a00:1]/sms' });
    expect(number.smsUrl).toBe('http://[64:ff9b::a00:1]/sms');
  });
});
