import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/smpp/logger.js';
import { PduChannel } from '../../../src/smpp/pdu-channel.js';
import { connectSession } from '../../../src/smpp/smpp-lib.js';
import type { SmscServer } from '../../../src/smpp/smsc-server.js';
import { ACCOUNT, startServer, textSubmit } from './helpers.js';

let server: SmscServer | undefined;
const channels: PduChannel[] = [];

afterEach(async () => {
  for (const channel of channels.splice(0)) channel.destroy('test over');
  await server?.close();
  server = undefined;
});

async function rawChannel(port: number): Promise<PduChannel> {
  const session = connectSession({ host: '127.0.0.1', port });
  const channel = new PduChannel(session, { requestTimeoutMs: 2_000, logger: silentLogger, onRequest: () => undefined });
  channels.push(channel);
  await new Promise((resolve) => session.once('connect', resolve));
  return channel;
}

const bind = (channel: PduChannel, password = ACCOUNT.password, systemId = ACCOUNT.systemId): Promise<number> =>
  channel.request('bind_transceiver', { system_id: systemId, password, interface_version: 0x34 }).then((pdu) => pdu.command_status);

describe('SMSC simulator (server side)', () => {
  it('checks bind credentials and bind state', async () => {
    const started = await startServer();
    server = started.server;
    const channel = await rawChannel(started.port);
    expect((await channel.request('submit_sm', { ...textSubmit('early') })).command_status).toBe(0x04); // ESME_RINVBNDSTS
    expect(await bind(channel, 'x', 'nobody')).toBe(0x0f); // ESME_RINVSYSID
    expect(await bind(channel, 'wrong')).toBe(0x0e); // ESME_RINVPASWD
    expect(await bind(channel)).toBe(0);
    expect(await bind(channel)).toBe(0x05); // ESME_RALYBND
  });

  it('answers ESME_RSYSERR when the onSubmit hook throws, then accepts the next one (ids keep counting)', async () => {
    let calls = 0;
    const started = await startServer({
      onSubmit: async () => {
        if (++calls === 1) throw new Error('simulated fault');
      },
    });
    server = started.server;
    const channel = await rawChannel(started.port);
    await bind(channel);
    expect((await channel.request('submit_sm', { ...textSubmit('a') })).command_status).toBe(0x08);
    const accepted = await channel.request('submit_sm', { ...textSubmit('b') });
    expect([accepted.command_status, accepted.message_id]).toEqual([0, '0000000002']);
  });

  it('answers an unknown command id with generic_nack ESME_RINVCMDID, byte for byte', async () => {
    const started = await startServer();
    server = started.server;
    const socket = connect(started.port, '127.0.0.1');
    const reply = new Promise<string>((resolve) => socket.once('data', (data) => resolve(data.toString('hex'))));
    socket.write(Buffer.from('00000010' + '00000099' + '00000000' + '00000009', 'hex'));
    expect(await reply).toBe('00000010' + '80000000' + '00000003' + '00000009');
    socket.destroy();
  });
});
