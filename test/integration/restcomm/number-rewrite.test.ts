// Number rewriting per road (issue point 6; RestComm's outbound-prefix, generalised): SMSC_NUMBER_REWRITE
// sip:+44=0 sends E.164 +44… as national 0… and reads 0… back as +44…, so a reply to an MO goes back to the
// number the handset has. Checked at sipp.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { waitFor } from '../../helpers/wait-for.js';
import { ACCOUNT_SID, OUR_NUMBER, sendMo, startRcmlWorld } from './rcml-harness.js';

let world: Awaited<ReturnType<typeof startRcmlWorld>>;
beforeAll(async () => {
  world = await startRcmlWorld({
    env: { SMSC_NUMBER_REWRITE: 'sip:+44=0' },
    answers: { '/sms': { body: '<Response><Sms>rewritten reply</Sms></Response>' } },
  });
  expect((await world.twilio.createNumber({ PhoneNumber: OUR_NUMBER, SmsUrl: `${world.app.url}/sms` })).status).toBe(201);
}, 60_000);
afterAll(async () => world.cleanup());

const arrival = (body: string) => waitFor(`"${body}" at the SMSC`, async () => (await world.arrivals()).find((m) => m.body === body));

it('writes +44 numbers nationally on the SIP road', async () => {
  const response = await world.rc('POST', `/restcomm/2012-04-24/Accounts/${ACCOUNT_SID}/SMS/Messages.json`, {
    form: { From: OUR_NUMBER, To: '+447700900128', Body: 'to a national number' },
  });
  expect(response.status).toBe(200);
  expect((await arrival('to a national number')).startLine).toMatch(/^MESSAGE sip:07700900128@/);
});

it('reads a national From back as E.164 and replies to the same handset', async () => {
  const mo = await sendMo(world.sipPort, [{ from: '07700900127', to: OUR_NUMBER.slice(1), body: 'from a national number' }]);
  expect(mo.exitCode, mo.errors + mo.stderr).toBe(0);
  const hook = await waitFor('the webhook', () => world.app.requests().find((r) => r.path === '/sms'));
  expect(hook.params.From).toBe('+447700900127');
  expect((await arrival('rewritten reply')).startLine).toMatch(/^MESSAGE sip:07700900127@/);
});
