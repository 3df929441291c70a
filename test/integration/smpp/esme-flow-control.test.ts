import { afterEach, describe, expect, it } from 'vitest';
import { SmppCommandError, SmppQueueTimeoutError, SmppTimeoutError } from '../../../src/smpp/errors.js';
import type { EsmeClient } from '../../../src/smpp/esme-session.js';
import type { SmscServer } from '../../../src/smpp/smsc-server.js';
import { clientFor, deferred, startServer, textSubmit, waitFor } from './helpers.js';

let server: SmscServer | undefined;
let client: EsmeClient | undefined;

afterEach(async () => {
  await client?.stop();
  await server?.close();
  client = server = undefined;
});

describe('ESME flow control', () => {
  it('turns ESME_RTHROTTLED (0x58) into a retryable SmppCommandError, then recovers after the pause', async () => {
    let calls = 0;
    const started = await startServer({ onSubmit: async () => (++calls === 1 ? { commandStatus: 0x58 } : {}) });
    server = started.server;
    client = clientFor(started.port, { throttlePauseMs: 50 });
    await client.start();
    const error = await client.submit(textSubmit('one')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SmppCommandError);
    expect(error).toMatchObject({ commandStatus: 0x58, name: 'ESME_RTHROTTLED', retryable: true, twilioErrorCode: 30001 });
    expect(await client.submit(textSubmit('two'))).toEqual({ messageId: '0000000002' });
  });

  it('reports a permanent refusal with its Twilio code', async () => {
    const started = await startServer({ onSubmit: async () => ({ commandStatus: 0x0b }) });
    server = started.server;
    client = clientFor(started.port);
    await client.start();
    await expect(client.submit(textSubmit('x'))).rejects.toMatchObject({
      commandStatus: 0x0b, name: 'ESME_RINVDSTADR', retryable: false, twilioErrorCode: 30005,
    });
  });

  it('never has more than windowSize submits outstanding, and sends the queued ones as slots free up', async () => {
    const held: Array<() => void> = [];
    let outstanding = 0;
    let peak = 0;
    const started = await startServer({
      onSubmit: async () => {
        peak = Math.max(peak, ++outstanding);
        await new Promise<void>((resolve) => held.push(resolve));
        outstanding--;
      },
    });
    server = started.server;
    client = clientFor(started.port, { windowSize: 3 });
    await client.start();
    const results = Array.from({ length: 8 }, (_, i) => client!.submit(textSubmit(`m${i}`)));
    await waitFor('three submits at the server', () => held.length === 3);
    // Give the client every chance to overrun the window before releasing anything.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(held).toHaveLength(3);
    let released = 0;
    while (released < 8) {
      await waitFor('the next submits at the server', () => held.length > 0);
      const batch = held.splice(0);
      released += batch.length;
      batch.forEach((release) => release());
    }
    const ids = (await Promise.all(results)).map((r) => r.messageId);
    expect(ids).toHaveLength(8);
    expect(new Set(ids).size).toBe(8);
    expect(peak).toBe(3);
  });

  it('fails a submit whose response never comes with SmppTimeoutError, and keeps the session usable', async () => {
    const gate = deferred();
    let calls = 0;
    const started = await startServer({ onSubmit: async () => (++calls === 1 ? gate.promise : undefined) });
    server = started.server;
    client = clientFor(started.port, { requestTimeoutMs: 150 });
    await client.start();
    const error = await client.submit(textSubmit('lost')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SmppTimeoutError);
    expect(error).toMatchObject({ code: 'SMPP_RESPONSE_TIMEOUT', retryable: true, mayHaveBeenAccepted: true, message: 'no submit_sm_resp within 150 ms' });
    gate.resolve(); // the late submit_sm_resp is now ignored
    expect(await client.submit(textSubmit('next'))).toEqual({ messageId: '0000000002' });
    expect(client.isBound()).toBe(true);
  });

  it('expires submits queued without a bound session (SmppQueueTimeoutError)', async () => {
    const started = await startServer();
    server = started.server;
    await server.close(); // nothing listens on that port now
    client = clientFor(started.port, { queueTimeoutMs: 100 });
    void client.start().catch(() => undefined);
    await expect(client.submit(textSubmit('nowhere'))).rejects.toBeInstanceOf(SmppQueueTimeoutError);
    expect(client.isBound()).toBe(false);
  });
});
