// Mobile-originated deliver_sm reach the same inbound path as SIP MO: stored, reassembled (UDH or SAR parts),
// and posted to the number's SmsUrl with a valid X-Twilio-Signature.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCOUNT_SID, startStack, waitFor, type ReceivedWebhook, type Stack } from './harness.js';

let stack: Stack;
const HANDSET = '447700900555';

beforeAll(async () => {
  stack = await startStack({ env: { SMPP_MO_DEDUPE_S: '60' } });
  const created = await stack.api.createNumber({ PhoneNumber: '+15005550006', SmsUrl: '' });
  expect(created.status).toBe(201);
  const updated = await stack.api.updateNumber(created.body.sid as string, { SmsUrl: `${stack.receiver.url}/sms` });
  expect(updated.status).toBe(200);
});
afterAll(async () => stack?.close());

async function webhookWithBody(body: string): Promise<ReceivedWebhook> {
  return waitFor(`the webhook for "${body.slice(0, 20)}…"`, () => stack.receiver.received.find((r) => r.path === '/sms' && r.params.Body === body));
}

describe('MO over SMPP', () => {
  it('delivers a single deliver_sm to the SmsUrl webhook', async () => {
    const statuses = await stack.simulator.sendSmppMo({ from: HANDSET, to: '15005550006', text: 'Hello from a handset' });
    expect(statuses).toEqual([0]);
    const hook = await webhookWithBody('Hello from a handset');
    expect(hook.signatureValid).toBe(true);
    expect(hook.params).toMatchObject({ AccountSid: ACCOUNT_SID, From: `+${HANDSET}`, To: '+15005550006', NumSegments: '1', SmsStatus: 'received' });
    const [message] = await stack.sdk.messages.list({ from: `+${HANDSET}`, limit: 1 });
    expect(message).toMatchObject({ sid: hook.params.MessageSid, direction: 'inbound', status: 'received', body: 'Hello from a handset' });
  });

  it('reassembles UDH-concatenated parts into one message and one webhook', async () => {
    const text = 'A long inbound message in several parts. '.repeat(6);
    expect(await stack.simulator.sendSmppMo({ from: HANDSET, to: '15005550006', text })).toEqual([0, 0]);
    const hook = await webhookWithBody(text);
    expect(hook.params.NumSegments).toBe('2');
    expect(hook.signatureValid).toBe(true);
  });

  it('reassembles SAR-numbered parts the same way', async () => {
    const text = 'Numbered with SAR TLVs instead of a UDH. '.repeat(6);
    expect(await stack.simulator.sendSmppMo({ from: HANDSET, to: '15005550006', text, concatenation: 'sar' })).toEqual([0, 0]);
    const hook = await webhookWithBody(text);
    expect(hook.params.NumSegments).toBe('2');
  });

  it('decodes UCS-2 text', async () => {
    await stack.simulator.sendSmppMo({ from: HANDSET, to: '15005550006', text: 'Привет, мир', coding: 2 });
    expect((await webhookWithBody('Привет, мир')).params.From).toBe(`+${HANDSET}`);
  });

  it('absorbs an identical re-delivery within SMPP_MO_DEDUPE_S', async () => {
    const text = 'Redelivered after a lost deliver_sm_resp';
    await stack.simulator.sendSmppMo({ from: HANDSET, to: '15005550006', text });
    await webhookWithBody(text);
    expect(await stack.simulator.sendSmppMo({ from: HANDSET, to: '15005550006', text })).toEqual([0]);
    const rows = await stack.service.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM messages WHERE direction = 'inbound' AND body = $1 AND route = 'smpp'`, [text],
    );
    expect(rows[0]?.n).toBe(1);
  });

  it('acknowledges an MO for a number we do not host without storing it', async () => {
    expect(await stack.simulator.sendSmppMo({ from: HANDSET, to: '15005550999', text: 'Nobody home' })).toEqual([0]);
    const rows = await stack.service.db.query('SELECT sid FROM messages WHERE body = $1', ['Nobody home']);
    expect(rows).toEqual([]);
  });
});
