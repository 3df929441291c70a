import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SmppClientStoppedError, SmppConnectionError } from '../../../src/smpp/errors.js';
import type { EsmeClient } from '../../../src/smpp/esme-session.js';
import { createSmppServer, type SmppPdu, type SmppServer } from '../../../src/smpp/smpp-lib.js';
import type { SmscServer } from '../../../src/smpp/smsc-server.js';
import { boundSession, clientFor, deferred, startServer, textSubmit, waitFor } from './helpers.js';

let server: SmscServer | undefined;
let client: EsmeClient | undefined;
const extraServers: Array<Server | SmppServer> = [];

afterEach(async () => {
  await client?.stop();
  await server?.close();
  for (const each of extraServers.splice(0)) await new Promise((resolve) => each.close(resolve));
  client = server = undefined;
});

async function listen<T extends Server | SmppServer>(raw: T): Promise<number> {
  extraServers.push(raw);
  await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve));
  const address = raw.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe('ESME resilience', () => {
  it('fails outstanding submits at once when the SMSC drops TCP, reconnects with a new session, and submits again', async () => {
    const gate = deferred();
    let calls = 0;
    const started = await startServer({ onSubmit: async () => (++calls === 1 ? gate.promise : undefined) });
    server = started.server;
    // A 30 s response timeout: only the link failure itself can reject the pending submit within the test.
    client = clientFor(started.port, { requestTimeoutMs: 30_000 });
    await client.start();
    const first = await boundSession(server);
    const pending = client.submit(textSubmit('in flight')).catch((e: unknown) => e);
    await waitFor('the submit at the server', () => calls === 1);
    first.destroy();

    const error = await pending;
    expect(error).toBeInstanceOf(SmppConnectionError);
    expect(error).toMatchObject({ code: 'SMPP_CONNECTION_LOST', retryable: true, mayHaveBeenAccepted: true });

    const second = await boundSession(server, first);
    expect(second.id).not.toBe(first.id);
    await waitFor('the client to rebind', () => client?.isBound());
    expect(await client.submit(textSubmit('after reconnect'))).toEqual({ messageId: '0000000002' });
    gate.resolve();
  });

  it('survives a peer that speaks HTTP to the SMSC: only that socket is destroyed', async () => {
    const started = await startServer();
    server = started.server;
    const socket: Socket = connect(started.port, '127.0.0.1');
    socket.on('error', () => undefined);
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await closed;

    client = clientFor(started.port);
    await client.start();
    expect(await client.submit(textSubmit('still alive'))).toEqual({ messageId: '0000000001' });
  });

  it('keeps retrying with new sessions when the "SMSC" answers with HTTP garbage', async () => {
    let connections = 0;
    const port = await listen(createServer((socket) => {
      connections++;
      socket.on('error', () => undefined);
      socket.once('data', () => socket.write('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n'));
    }));
    client = clientFor(port);
    const start = client.start().catch((e: unknown) => e);
    await waitFor('three connection attempts', () => connections >= 3);
    expect(client.isBound()).toBe(false);
    await client.stop();
    expect(await start).toBeInstanceOf(SmppClientStoppedError);
  });

  it('exchanges enquire_link both ways', async () => {
    const seen: string[] = [];
    const started = await startServer({ onPdu: (_session, pdu) => void seen.push(pdu.command) });
    server = started.server;
    client = clientFor(started.port, { enquireLinkIntervalMs: 50 });
    await client.start();
    await waitFor('two enquire_link from the client', () => seen.filter((command) => command === 'enquire_link').length >= 2);
    const session = await boundSession(server);
    expect(await session.enquireLink()).toBe(0);
  });

  it('treats a missing enquire_link_resp as a dead link and rebinds on a new session', async () => {
    let binds = 0;
    const port = await listen(createSmppServer({}, (session) => {
      session.on('error', () => undefined);
      session.on('bind_transceiver', (pdu: SmppPdu) => {
        binds++;
        session.send(pdu.response({ system_id: 'mute' }));
      });
      // enquire_link deliberately never answered
    }));
    client = clientFor(port, { enquireLinkIntervalMs: 50, requestTimeoutMs: 100 });
    await client.start();
    await waitFor('a second bind after the dead link was detected', () => binds >= 2);
  });

  it('stop() rejects queued submits and unbinds gracefully', async () => {
    const seen: string[] = [];
    const gate = deferred();
    const started = await startServer({ onPdu: (_s, pdu) => void seen.push(pdu.command), onSubmit: async () => gate.promise });
    server = started.server;
    client = clientFor(started.port, { windowSize: 1 });
    await client.start();
    const inFlight = client.submit(textSubmit('first'));
    const queued = client.submit(textSubmit('second')).catch((e: unknown) => e);
    await waitFor('the first submit', () => seen.includes('submit_sm'));
    const stopping = client.stop();
    expect(await queued).toBeInstanceOf(SmppClientStoppedError);
    gate.resolve();
    expect(await inFlight).toEqual({ messageId: '0000000001' });
    await stopping;
    expect(seen.at(-1)).toBe('unbind');
    expect(client.isBound()).toBe(false);
  });
});
