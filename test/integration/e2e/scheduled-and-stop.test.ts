// Issue 16 end to end, with the real service (dispatcher, service release, SIP) and the SMSC simulator, driven by
// the twilio SDK: a message scheduled through a Messaging Service reaches the SMSC at SendAt, not before; the
// recipient's STOP (a SIP MO) gets the auto-reply, and a send to them is then refused with 21610; START lifts it.
import { afterEach, expect, it } from 'vitest';
import { createTestDatabase } from '../../helpers/test-database.js';
import { freePort } from '../sip/sipp.js';
import { restError, sdkClient } from '../api/api-harness.js';
import { ACCOUNT_SID, AUTH_TOKEN, OUR_NUMBER, serviceEnv, startInProcess, startSimulator, waitFor } from './e2e-harness.js';

let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

it('sends a scheduled message at SendAt through the pool, then honours STOP and START', async () => {
  const testDb = await createTestDatabase();
  cleanup.push(() => testDb.drop());
  const sipPort = await freePort('udp');
  const smsc = await startSimulator({ servicePort: sipPort });
  cleanup.push(() => smsc.stop());
  const service = await startInProcess(serviceEnv({ databaseUrl: testDb.url, sipPort, smscPort: smsc.port, extra: { SCHEDULE_MIN_LEAD_S: '1' } }));
  cleanup.push(() => service.close());
  const client = sdkClient(service.url, ACCOUNT_SID, AUTH_TOKEN);

  const number = await client.incomingPhoneNumbers.create({ phoneNumber: OUR_NUMBER });
  const mg = await client.messaging.v1.services.create({ friendlyName: 'e2e' });
  await client.messaging.v1.services(mg.sid).phoneNumbers.create({ phoneNumberSid: number.sid });
  const user = '+447700900123';

  const sendAt = new Date((Math.floor(Date.now() / 1000) + 3) * 1000);
  const scheduled = await client.messages.create({ to: user, messagingServiceSid: mg.sid, body: 'at three', scheduleType: 'fixed', sendAt });
  expect(scheduled.status).toBe('scheduled');
  const delivered = await waitFor('the scheduled message delivered', async () => {
    const m = await client.messages(scheduled.sid).fetch();
    return m.status === 'delivered' ? m : undefined;
  }, { timeoutMs: 20_000 });
  expect(delivered.from).toBe(OUR_NUMBER);
  expect(delivered.dateSent.getTime()).toBeGreaterThanOrEqual(sendAt.getTime());
  expect(smsc.received().map((m) => m.text)).toContain('at three');

  expect((await smsc.sendMo({ from: user.slice(1), to: OUR_NUMBER.slice(1), text: 'stop' })).map((r) => r.status)).toEqual([200]);
  await waitFor('the opt-out confirmation at the SMSC', () => smsc.received().some((m) => m.text.startsWith('You have successfully been unsubscribed')), { timeoutMs: 10_000 });
  expect(await restError(client.messages.create({ to: user, from: OUR_NUMBER, body: 'promo' }))).toMatchObject({ status: 400, code: 21610 });

  expect((await smsc.sendMo({ from: user.slice(1), to: OUR_NUMBER.slice(1), text: 'START' })).map((r) => r.status)).toEqual([200]);
  const again = await client.messages.create({ to: user, from: OUR_NUMBER, body: 'welcome back' });
  expect(again.status).toBe('queued');
  await waitFor('welcome back at the SMSC', () => smsc.received().some((m) => m.text === 'welcome back'), { timeoutMs: 10_000 });
}, 60_000);
