import { afterEach, describe, expect, it } from 'vitest';
import { buildMoDelivers, buildReceiptDeliver } from '../../../src/smpp/deliver-builder.js';
import type { DeliverSm, MoDeliver } from '../../../src/smpp/deliver-parser.js';
import { SmppCommandError } from '../../../src/smpp/errors.js';
import type { EsmeClient } from '../../../src/smpp/esme-session.js';
import { stringField, type SmppPdu } from '../../../src/smpp/smpp-lib.js';
import type { SmscServer } from '../../../src/smpp/smsc-server.js';
import { boundSession, clientFor, startServer, textSubmit } from './helpers.js';

let server: SmscServer | undefined;
let client: EsmeClient | undefined;

afterEach(async () => {
  await client?.stop();
  await server?.close();
  client = server = undefined;
});

describe('ESME client against the simulator', () => {
  it('binds as a 3.4 transceiver, submits and receives the receipt (acked after the handler)', async () => {
    const submits: SmppPdu[] = [];
    const started = await startServer({ onSubmit: async ({ pdu }) => void submits.push(pdu) });
    server = started.server;
    client = clientFor(started.port);
    const delivered: DeliverSm[] = [];
    client.onDeliver(async (deliver) => void delivered.push(deliver));
    await client.start();
    expect(client.isBound()).toBe(true);
    const session = await boundSession(server);
    expect([session.systemId, session.interfaceVersion]).toEqual(['esme1', 0x34]);

    const { messageId } = await client.submit(textSubmit('Hello @_'));
    expect(messageId).toBe('0000000001');
    expect(stringField(submits[0] as SmppPdu, 'destination_addr')).toBe('447700900123');
    expect((submits[0]?.short_message as Buffer).toString('hex')).toBe('48656c6c6f200011');

    const status = await session.deliver(buildReceiptDeliver({
      messageId, originalFrom: '+15005550006', originalTo: '+447700900123', stat: 'DELIVRD',
      submitDate: new Date('2025-06-15T14:30:00Z'), doneDate: new Date('2025-06-15T14:31:00Z'), originalText: 'Hello @_',
    }));
    expect(status).toBe(0);
    expect(delivered).toHaveLength(1);
    expect(delivered[0]).toMatchObject({ kind: 'receipt', messageId: '0000000001', messageState: 2, stat: 'DELIVRD' });
  });

  it('delivers MO messages: single, UDH-concatenated and SAR parts', async () => {
    const started = await startServer();
    server = started.server;
    client = clientFor(started.port);
    const delivered: MoDeliver[] = [];
    client.onDeliver(async (deliver) => void (deliver.kind === 'mo' && delivered.push(deliver)));
    await client.start();
    const session = await boundSession(server);
    const mo = { from: '+447700900123', to: '40404', coding: 0 as const, longMessageMode: 'udh' as const, bodyEncoding: 'gsm7' as const };

    const messages = [
      ...buildMoDelivers({ ...mo, text: 'Hi there' }),
      ...buildMoDelivers({ ...mo, text: `${'u'.repeat(153)}${'e'.repeat(10)}`, concatReference: 0x21 }),
      ...buildMoDelivers({ ...mo, text: `${'s'.repeat(152)}${'f'.repeat(10)}`, concatReference: 0x4242, concatReferenceBits: 16, concatenation: 'sar' }),
    ];
    const statuses = await Promise.all(messages.map((params) => session.deliver(params)));
    expect(statuses).toEqual([0, 0, 0, 0, 0]);

    const byText = (text: string): MoDeliver | undefined => delivered.find((d) => d.text === text);
    expect(byText('Hi there')?.concatenation).toBeNull();
    expect(byText('u'.repeat(153))?.concatenation).toEqual({ reference: 0x21, total: 2, sequence: 1, referenceBits: 8, via: 'udh' });
    expect(byText('e'.repeat(10))?.concatenation).toEqual({ reference: 0x21, total: 2, sequence: 2, referenceBits: 8, via: 'udh' });
    expect(byText('s'.repeat(152))?.concatenation).toEqual({ reference: 0x4242, total: 2, sequence: 1, referenceBits: 16, via: 'sar' });
    expect(byText('f'.repeat(10))?.concatenation).toEqual({ reference: 0x4242, total: 2, sequence: 2, referenceBits: 16, via: 'sar' });
    expect(byText('Hi there')?.source).toEqual({ ton: 1, npi: 1, address: '447700900123' });
  });

  it('answers ESME_RX_T_APPN (0x64) when the deliver handler fails, so the SMSC retries', async () => {
    const started = await startServer();
    server = started.server;
    client = clientFor(started.port);
    let attempts = 0;
    client.onDeliver(async () => {
      attempts++;
      if (attempts === 1) throw new Error('database unavailable');
    });
    await client.start();
    const session = await boundSession(server);
    const [params] = buildMoDelivers({ from: '+447700900123', to: '40404', text: 'retry me', coding: 0, longMessageMode: 'udh', bodyEncoding: 'gsm7' });
    expect(await session.deliver(params as never)).toBe(0x64);
    expect(await session.deliver(params as never)).toBe(0);
  });

  it('rejects start() with ESME_RINVPASWD when the SMSC refuses the password', async () => {
    const started = await startServer();
    server = started.server;
    client = clientFor(started.port, { password: 'wrong' });
    const error = await client.start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SmppCommandError);
    expect(error).toMatchObject({ commandStatus: 0x0e, name: 'ESME_RINVPASWD', retryable: false });
    expect(client.isBound()).toBe(false);
    expect(server.sessions()).toEqual([]);
  });
});
