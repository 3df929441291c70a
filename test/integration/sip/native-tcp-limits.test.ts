// Issue 12, point 5: the native adapter over TCP under hostile or broken peers, with real sockets on 127/8 (the
// whole block is loopback, so a client bound to 127.0.0.2 is another source). The allow-list is applied on
// accept; messages are bounded in size and time; connections are capped per source and in total; and every
// message complete before a framing fault is still handled. Streams come from the fuzz fixtures in
// test/integration/faults/fixtures/sip-tcp/.
import { readFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { cidrMatcher } from '../../../src/sip/allowed-sources.js';
import { createNativeSipAdapter, type NativeSipAdapter, type SipLimits } from '../../../src/sip/native/index.js';
import type { IncomingSipMessage } from '../../../src/sip/port.js';
import { waitFor } from '../../helpers/wait-for.js';

const FIXTURES = new URL('../faults/fixtures/sip-tcp/', import.meta.url);
const fixture = (name: string): Promise<Buffer> => readFile(new URL(name, FIXTURES));
const timers = { t1Ms: 50, t2Ms: 400, t4Ms: 500 };

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function adapterOnTcp(options: { allowed?: string[]; limits?: Partial<SipLimits> } = {}) {
  const adapter: NativeSipAdapter = createNativeSipAdapter({
    listen: [{ transport: 'tcp', host: '127.0.0.1', port: 0 }],
    timers,
    ...(options.allowed ? { allowedSources: cidrMatcher(options.allowed) } : {}),
    ...(options.limits ? { limits: options.limits } : {}),
  });
  const received: IncomingSipMessage[] = [];
  adapter.onMessage(async (message) => {
    received.push(message);
    return { status: 200 };
  });
  await adapter.start();
  cleanups.push(() => adapter.stop());
  return { adapter, port: adapter.boundAddresses()[0]!.port, received };
}

interface Client {
  socket: Socket;
  text(): string;
  closed(): boolean;
}

/** A raw TCP peer from `localAddress`, recording what it reads and whether the server closed it. */
async function client(port: number, localAddress = '127.0.0.1'): Promise<Client> {
  const socket = connect({ host: '127.0.0.1', port, localAddress });
  let text = '';
  let closed = false;
  socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
  socket.on('error', () => undefined); // a reset is one way of being closed
  socket.on('close', () => (closed = true));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  cleanups.push(() => void socket.destroy());
  return { socket, text: () => text, closed: () => closed };
}

function request(options: { method?: string; branch: string; body?: string; contentLength?: number }): Buffer {
  const method = options.method ?? 'MESSAGE';
  const body = options.body ?? '';
  return Buffer.from(
    [
      `${method} sip:14155550100@127.0.0.1 SIP/2.0`,
      `Via: SIP/2.0/TCP 127.0.0.1:5099;branch=z9hG4bK-${options.branch}`,
      'From: <sip:447700900123@127.0.0.1>',
      'To: <sip:14155550100@127.0.0.1>',
      `Call-ID: ${options.branch}@127.0.0.1`,
      `CSeq: 2 ${method}`,
      'Content-Type: text/plain',
      `Content-Length: ${options.contentLength ?? Buffer.byteLength(body)}`,
      '',
      body,
    ].join('\r\n'),
  );
}

/** The connection is usable: an OPTIONS on it is answered 200. */
async function answersOptions(peer: Client, branch: string): Promise<void> {
  peer.socket.write(request({ method: 'OPTIONS', branch }));
  await waitFor(`200 to OPTIONS ${branch}`, () => peer.text().includes(`branch=z9hG4bK-${branch}`));
  expect(peer.text()).toMatch(/^SIP\/2\.0 200 OK\r\n/);
}

describe('native adapter over TCP: who may connect', () => {
  it('closes a connection from outside the allow-list before reading a request, and serves an allowed source', async () => {
    const { adapter, port, received } = await adapterOnTcp({ allowed: ['127.0.0.2/32'] });
    const outsider = await client(port, '127.0.0.1');
    outsider.socket.write(request({ branch: 'outsider', body: 'hi' }));
    await waitFor('the outsider to be closed', () => outsider.closed());
    expect(outsider.text()).toBe(''); // no 403, no 400: nothing at all
    const insider = await client(port, '127.0.0.2');
    insider.socket.write(request({ branch: 'insider', body: 'hello' }));
    await waitFor('the insider answered', () => insider.text().includes('\r\n\r\n'));
    expect(insider.text()).toMatch(/^SIP\/2\.0 200 OK\r\n/);
    expect(received.map((m) => m.body.toString())).toEqual(['hello']);
    expect(insider.closed()).toBe(false);
    expect(adapter.stats()).toMatchObject({ tcpRefusedSources: 1, tcpOverLimit: 0 });
  });

  it('caps connections per source and in total, and frees a place when a connection closes', async () => {
    const { adapter, port } = await adapterOnTcp({ limits: { tcpMaxConnections: 3, tcpMaxConnectionsPerSource: 2 } });
    const a1 = await client(port, '127.0.0.2');
    const a2 = await client(port, '127.0.0.2');
    await answersOptions(a1, 'a1');
    await answersOptions(a2, 'a2');
    const a3 = await client(port, '127.0.0.2');
    await waitFor('the third connection from one source to be closed', () => a3.closed());
    const b1 = await client(port, '127.0.0.3');
    await answersOptions(b1, 'b1');
    const c1 = await client(port, '127.0.0.4');
    await waitFor('the fourth connection in total to be closed', () => c1.closed());
    expect({ a3: a3.text(), c1: c1.text() }).toEqual({ a3: '', c1: '' });
    expect(adapter.stats().tcpOverLimit).toBe(2);

    a1.socket.destroy();
    const a4 = await waitFor('a place to be free again', async () => {
      const next = await client(port, '127.0.0.2');
      await new Promise((resolve) => setTimeout(resolve, 50));
      return next.closed() ? undefined : next;
    }, { intervalMs: 50 });
    await answersOptions(a4, 'a4');
  });
});

describe('native adapter over TCP: message size', () => {
  it('answers 413 to a request announcing a body over the limit as soon as its headers arrive, then closes', async () => {
    const { adapter, port, received } = await adapterOnTcp();
    const peer = await client(port);
    peer.socket.write(await fixture('huge-content-length.sip'));
    await waitFor('the 413', () => peer.text().includes('\r\n\r\n'));
    expect(peer.text()).toMatch(/^SIP\/2\.0 413 Request Entity Too Large\r\nVia: SIP\/2\.0\/TCP 127\.0\.0\.1:5099;branch=z9hG4bK-fixture-huge\r\n/);
    // The body it then sends is read and dropped, never buffered, and the connection is closed.
    peer.socket.write(Buffer.alloc(256 * 1024, 0x61));
    await waitFor('the connection to be closed', () => peer.closed(), { timeoutMs: 10_000 });
    expect(received).toEqual([]);
    expect(adapter.stats()).toMatchObject({ oversized: 1 });
  });

  it('honours a configured limit: a message just under it is handled, one over it gets 413', async () => {
    const { port, received } = await adapterOnTcp({ limits: { maxMessageBytes: 2048 } });
    const small = await client(port);
    small.socket.write(request({ branch: 'small', body: 'x'.repeat(1500) }));
    await waitFor('the small one answered', () => small.text().includes('\r\n\r\n'));
    expect(small.text()).toMatch(/^SIP\/2\.0 200 OK\r\n/);
    const large = await client(port);
    large.socket.write(request({ branch: 'large', body: 'x'.repeat(2100) }));
    await waitFor('the large one answered', () => large.text().includes('\r\n\r\n'));
    expect(large.text()).toMatch(/^SIP\/2\.0 413 Request Entity Too Large\r\n/);
    expect(received.map((m) => m.body.length)).toEqual([1500]);
  });

  it('closes a connection whose header section is over 64 KB even when it arrives in one write', async () => {
    const { adapter, port, received } = await adapterOnTcp();
    const peer = await client(port);
    const bytes = await fixture('oversized-header.sip');
    expect(bytes.length).toBeGreaterThan(65_536);
    peer.socket.write(bytes);
    await waitFor('the connection to be closed', () => peer.closed(), { timeoutMs: 10_000 });
    expect(peer.text()).toBe('');
    expect(received).toEqual([]);
    expect(adapter.stats()).toMatchObject({ oversized: 1 });
  });

  it('by default takes the SMSC\'s longest MESSAGE: a 77 KB message_payload MO body', async () => {
    const { port, received } = await adapterOnTcp();
    const peer = await client(port);
    const body = 'ü'.repeat(38_468);
    peer.socket.write(request({ branch: 'long-mo', body }));
    await waitFor('the long MO answered', () => peer.text().includes('\r\n\r\n'), { timeoutMs: 10_000 });
    expect(peer.text()).toMatch(/^SIP\/2\.0 200 OK\r\n/);
    expect(received.map((m) => m.body.toString())).toEqual([body]);
  });
});

describe('native adapter over TCP: time limits', () => {
  it('closes a connection holding an incomplete header section after the incomplete-request timeout', async () => {
    const { adapter, port } = await adapterOnTcp({ limits: { tcpIncompleteTimeoutMs: 300 } });
    const peer = await client(port);
    peer.socket.write(await fixture('incomplete-headers.sip'));
    await waitFor('the connection to be closed', () => peer.closed());
    expect(adapter.stats()).toMatchObject({ tcpIncomplete: 1, tcpIdle: 0 });
  });

  it('does not let a peer trickling a byte at a time push the incomplete-request timeout back', async () => {
    const { adapter, port } = await adapterOnTcp({ limits: { tcpIncompleteTimeoutMs: 400 } });
    const peer = await client(port);
    const bytes = await fixture('incomplete-headers.sip');
    let offset = 0;
    const trickle = setInterval(() => {
      if (!peer.closed() && offset < bytes.length) peer.socket.write(bytes.subarray(offset, ++offset));
    }, 50);
    cleanups.push(() => clearInterval(trickle));
    await waitFor('the connection to be closed', () => peer.closed());
    expect(offset).toBeLessThan(bytes.length); // closed long before the trickle could have finished
    expect(adapter.stats()).toMatchObject({ tcpIncomplete: 1 });
  });

  it('closes a connection idle for the idle timeout, keep-alive CRLFs being no message', async () => {
    const { adapter, port } = await adapterOnTcp({ limits: { tcpIdleTimeoutMs: 600, tcpIncompleteTimeoutMs: 200 } });
    const peer = await client(port);
    await answersOptions(peer, 'before-idle');
    peer.socket.write('\r\n\r\n');
    await waitFor('the idle connection to be closed', () => peer.closed());
    expect(adapter.stats()).toMatchObject({ tcpIdle: 1, tcpIncomplete: 0 });
  });
});

describe('native adapter over TCP: framing faults', () => {
  it('handles a valid MESSAGE that shares a segment with a malformed one, answers 400 to the latter, then closes', async () => {
    const { adapter, port, received } = await adapterOnTcp();
    const peer = await client(port);
    peer.socket.write(await fixture('valid-then-malformed.sip'));
    await waitFor('both answers', () => /fixture-valid[\s\S]*\r\n\r\n/.test(peer.text()) && /fixture-malformed[\s\S]*\r\n\r\n/.test(peer.text()));
    expect(received.map((m) => [m.callId, m.body.toString()])).toEqual([['fixture-valid@127.0.0.1', 'first']]);
    const answers = peer.text().split(/(?=SIP\/2\.0 )/);
    expect(answers.find((a) => a.includes('fixture-valid'))).toMatch(/^SIP\/2\.0 200 OK\r\n/);
    expect(answers.find((a) => a.includes('fixture-malformed'))).toMatch(/^SIP\/2\.0 400 Bad Content-Length\r\n/);
    await waitFor('the connection to be closed', () => peer.closed(), { timeoutMs: 10_000 });
    expect(adapter.stats()).toMatchObject({ tcpFramingErrors: 1 });
  });

  it('answers 400 Bad Content-Length to a negative Content-Length and closes', async () => {
    const { adapter, port, received } = await adapterOnTcp();
    const peer = await client(port);
    peer.socket.write(await fixture('bad-content-length.sip'));
    await waitFor('the 400', () => peer.text().includes('\r\n\r\n'));
    expect(peer.text()).toMatch(/^SIP\/2\.0 400 Bad Content-Length\r\nVia: SIP\/2\.0\/TCP 127\.0\.0\.1:5099;branch=z9hG4bK-fixture-bad-length\r\n/);
    await waitFor('the connection to be closed', () => peer.closed(), { timeoutMs: 10_000 });
    expect(received).toEqual([]);
    expect(adapter.stats()).toMatchObject({ tcpFramingErrors: 1 });
  });
});
