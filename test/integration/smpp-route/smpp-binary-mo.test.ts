// Issue 12 point 3 over SMPP: deliver_sm whose user data holds 0x00 (8-bit data, and UTF-8 text with U+0000) reach
// the service over a real socket from an SMSC (our smsc-server on 127.0.0.1). They used to fail the insert
// (PostgreSQL text cannot hold NUL), so the service answered ESME_RX_T_APPN and the SMSC redelivered them for days;
// now each is acknowledged with ESME_ROK, stored byte for byte, and posted to the SmsUrl with its payload hex.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningService } from '../../../src/main.js';
import type { SmscServer, SmscSession } from '../../../src/smpp/smsc-server.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { apiClient, serviceEnv, startInProcess, waitFor } from '../e2e/e2e-harness.js';
import { startWebhookRecorder, type WebhookRecorder } from '../e2e/webhook-recorder.js';
import { freePort } from '../sip/sipp.js';
import { ACCOUNT, boundSession, startServer } from '../smpp/helpers.js';

const NUMBER = '+15005550006';
let testDb: TestDatabase;
let smsc: { server: SmscServer; port: number };
let session: SmscSession;
let service: RunningService;
let app: WebhookRecorder;

beforeAll(async () => {
  testDb = await createTestDatabase();
  smsc = await startServer();
  app = await startWebhookRecorder();
  service = await startInProcess(serviceEnv({
    databaseUrl: testDb.url, sipPort: await freePort('udp'), smscPort: await freePort('udp'),
    extra: { SMSC_RECEIPTS: 'false', SMPP_BINDS: `smpp://${ACCOUNT.systemId}:${ACCOUNT.password}@127.0.0.1:${smsc.port}`, SMPP_BODY_ENCODING: 'utf-8' },
  }));
  expect((await apiClient(service.url).createNumber({ PhoneNumber: NUMBER, SmsUrl: `${app.url}/sms` })).status).toBe(201);
  session = await boundSession(smsc.server);
}, 60_000);
afterAll(async () => {
  await service?.close();
  await smsc?.server.close();
  await app?.stop();
  await testDb?.drop();
});

function deliver(options: { esmClass: number; dataCoding: number; userData: Buffer }): Promise<number> {
  return session.deliver({
    service_type: '', source_addr_ton: 1, source_addr_npi: 1, source_addr: '447700900555', dest_addr_ton: 1, dest_addr_npi: 1,
    destination_addr: NUMBER.slice(1), esm_class: options.esmClass, protocol_id: 0, priority_flag: 0, schedule_delivery_time: '',
    validity_period: '', registered_delivery: 0, replace_if_present_flag: 0, data_coding: options.dataCoding, sm_default_msg_id: 0,
    short_message: options.userData,
  });
}

async function storedWithPayload(payloadHex: string) {
  return waitFor(`the MO with payload ${payloadHex}`, async () => {
    const [row] = await service.db.query<{ sid: string; body: string; coding: number; udh: string | null; route: string }>(
      `SELECT sid, body, coding, udh, route FROM messages WHERE direction = 'inbound' AND payload = decode($1, 'hex')`, [payloadHex],
    );
    return row;
  });
}

describe('SMPP MO holding zero octets', () => {
  it('acknowledges 8-bit data with a port UDH and zero octets, stores it byte for byte and posts its hex', async () => {
    const status = await deliver({ esmClass: 0x40, dataCoding: 0x04, userData: Buffer.from('0605040B8423F0' + '000100ff00', 'hex') });
    expect(status).toBe(0);
    const row = await storedWithPayload('000100ff00');
    expect(row).toMatchObject({ body: '000100FF00', coding: 1, udh: '0605040B8423F0', route: 'smpp' });
    const hook = await waitFor('the webhook', () => app.requests().find((r) => r.params.MessageSid === row.sid));
    expect(hook.params).toMatchObject({ Body: '000100FF00', SmscPayloadHex: '000100FF00', SmscCoding: 'binary', SmscUdh: '0605040B8423F0', From: '+447700900555' });
  });

  it('acknowledges UTF-8 text holding U+0000, keeping the NUL in the payload and out of the body', async () => {
    const status = await deliver({ esmClass: 0, dataCoding: 0, userData: Buffer.from('Hi\u0000there', 'utf8') });
    expect(status).toBe(0);
    const row = await storedWithPayload(Buffer.from('Hi\u0000there').toString('hex'));
    expect(row).toMatchObject({ body: 'Hithere', coding: 0, udh: null });
    const hook = await waitFor('the webhook', () => app.requests().find((r) => r.params.MessageSid === row.sid));
    expect(hook.params).toMatchObject({ Body: 'Hithere', SmscPayloadHex: Buffer.from('Hi\u0000there').toString('hex').toUpperCase(), SmscCoding: 'gsm7' });
  });

  it('keeps a UDH whose concatenation IE says total 0 and stores the SMS whole', async () => {
    const status = await deliver({ esmClass: 0x40, dataCoding: 0x04, userData: Buffer.from('050003070001' + '00ab', 'hex') });
    expect(status).toBe(0);
    expect(await storedWithPayload('00ab')).toMatchObject({ body: '00AB', udh: '050003070001' });
  });
});
