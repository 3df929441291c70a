// The simulator's SMPP side: flow 2 (third-party ESME -> SIP MO with X-SMSC-ID -> receipt deliver_sm) and the
// 'simulated' account where our own service is the ESME (policy-driven submit_sm_resp and receipts, MO injection).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { getHeader } from '../../../src/sip/port.js';
import type { DeliverSm } from '../../../src/smpp/deliver-parser.js';
import { createEsmeClient, type EsmeClient } from '../../../src/smpp/esme-session.js';
import { buildSubmitSms } from '../../../src/smpp/submit-builder.js';
import { startHarness, waitFor, type Harness } from './harness.js';

let h: Harness;
let esme: EsmeClient | undefined;
const delivered: DeliverSm[] = [];

beforeEach(async () => {
  delivered.length = 0;
  h = await startHarness({
    smpp: {
      listen: { host: '127.0.0.1', port: 0 },
      accounts: [
        { systemId: 'partner', password: 'secret' },
        { systemId: 'ours', password: 'pw', delivery: 'simulated' },
      ],
    },
  });
});
afterEach(async () => {
  await esme?.stop();
  esme = undefined;
  await h.close();
});

async function bind(systemId: string, password: string): Promise<EsmeClient> {
  const client = createEsmeClient({
    host: '127.0.0.1', port: h.simulator.smppAddress()!.port, systemId, password,
    requestTimeoutMs: 2_000, reconnect: { initialDelayMs: 20, maxDelayMs: 100 }, deliver: { bodyEncoding: 'utf-8' },
  });
  client.onDeliver(async (deliver) => {
    delivered.push(deliver);
  });
  await client.start();
  esme = client;
  return client;
}

const submit = (text: string, registeredDelivery = true) =>
  buildSubmitSms({ to: '14155550100', from: '+447700900123', text, coding: 0, registeredDelivery, longMessageMode: 'udh', bodyEncoding: 'utf-8' })[0]!;

describe('flow 2: a third-party ESME through the SMSC to our service', () => {
  it('forwards the submit as a SIP MO with X-SMSC-ID, and turns our 200 into a DELIVRD receipt', async () => {
    const client = await bind('partner', 'secret');
    const { messageId } = await client.submit(submit('Hi from SMPP'));
    expect(messageId).toBe('0000000001');
    const mo = await waitFor('the SIP MO', () => h.inbox[0]);
    expect(getHeader(mo.headers, 'X-SMSC-ID')).toBe('partner');
    expect(getHeader(mo.headers, 'X-SMS-CODING')).toBe('0');
    expect(mo.fromUser).toBe('447700900123');
    expect(mo.toUser).toBe('14155550100');
    expect(mo.body.toString('utf8')).toBe('Hi from SMPP');
    const receipt = await waitFor('the receipt deliver_sm', () => delivered[0]);
    expect(receipt).toMatchObject({ kind: 'receipt', messageId: '0000000001', stat: 'DELIVRD', err: '000', messageState: 2 });
    expect(receipt.esmClass).toBe(0x04);
  });

  it('turns our 500 into UNDELIV err:194', async () => {
    h.replies.push(500);
    const client = await bind('partner', 'secret');
    await client.submit(submit('Refused by the service'));
    const receipt = await waitFor('the receipt deliver_sm', () => delivered[0]);
    expect(receipt).toMatchObject({ kind: 'receipt', stat: 'UNDELIV', err: '194', messageState: 5 });
    if (receipt.kind === 'receipt') expect(receipt.text).toMatch(/^id:0000000001 sub:001 dlvrd:000 submit date:\d{10} done date:\d{10} stat:UNDELIV err:194 text:Refused by the servi$/);
  });
});

describe('simulated account: our service as the ESME', () => {
  it('answers submit_sm with an id, then sends the policy-driven receipt on the same bind', async () => {
    const client = await bind('ours', 'pw');
    h.simulator.setReceipts({ outcome: 'undelivered', undeliveredErr: 1 });
    const { messageId } = await client.submit(submit('To a handset'));
    const receipt = await waitFor('the receipt deliver_sm', () => delivered[0]);
    expect(receipt).toMatchObject({ kind: 'receipt', messageId, stat: 'UNDELIV', err: '001' });
    expect(h.inbox).toEqual([]);
  });

  it('refuses submits with SUBMITFAIL under a 500 policy and THROTTLED under 480', async () => {
    const client = await bind('ours', 'pw');
    h.simulator.setPolicy({ answer: 500 });
    await expect(client.submit(submit('a'))).rejects.toMatchObject({ commandStatus: 0x45 });
    h.simulator.setPolicy({ answer: 480 });
    await expect(client.submit(submit('b'))).rejects.toMatchObject({ commandStatus: 0x58 });
  });

  it('injects an MO deliver_sm to the bound ESME', async () => {
    await bind('ours', 'pw');
    const statuses = await h.simulator.sendSmppMo({ systemId: 'ours', from: '+447700900123', to: '14155550100', text: 'MO over SMPP' });
    expect(statuses).toEqual([0]);
    const mo = await waitFor('the MO deliver_sm', () => delivered[0]);
    expect(mo).toMatchObject({ kind: 'mo', text: 'MO over SMPP' });
  });
});
