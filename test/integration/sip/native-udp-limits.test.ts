// Issue 12, point 5, the UDP side: the message size limit applies to datagrams, and a source outside the
// allow-list gets 403 for a request it can read or nothing at all, never 400 (nor 413). Real sockets on 127/8:
// a peer bound to 127.0.0.2 is another source than one bound to 127.0.0.1.
import { createSocket, type Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { cidrMatcher } from '../../../src/sip/allowed-sources.js';
import { createNativeSipAdapter, type NativeSipAdapter } from '../../../src/sip/native/index.js';
import { waitFor } from '../../helpers/wait-for.js';

const ALLOWED = '127.0.0.2';
const OUTSIDER = '127.0.0.1';
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function adapterOnUdp(limits: { maxMessageBytes?: number } = {}) {
  const adapter = createNativeSipAdapter({
    listen: [{ transport: 'udp', host: '127.0.0.1', port: 0 }],
    timers: { t1Ms: 50, t2Ms: 400, t4Ms: 500 },
    allowedSources: cidrMatcher([`${ALLOWED}/32`]),
    limits,
  });
  let calls = 0;
  adapter.onMessage(async () => {
    calls += 1;
    return { status: 200 };
  });
  await adapter.start();
  cleanups.push(() => adapter.stop());
  return { adapter, port: adapter.boundAddresses()[0]!.port, calls: () => calls };
}

async function peer(address: string): Promise<{ socket: Socket; port: number; replies: string[] }> {
  const socket = createSocket('udp4');
  const replies: string[] = [];
  socket.on('message', (data) => replies.push(data.toString('latin1')));
  await new Promise<void>((resolve) => socket.bind(0, address, resolve));
  cleanups.push(() => new Promise<void>((resolve) => socket.close(() => resolve())));
  return { socket, port: socket.address().port, replies };
}

function datagram(options: { from: { address: string; port: number }; branch: string; cseq?: string; body?: string; padHeaders?: number }): Buffer {
  const body = options.body ?? 'hi';
  const pad = Array.from({ length: options.padHeaders ?? 0 }, (_, i) => `X-Pad-${i}: ${'p'.repeat(100)}`);
  return Buffer.from(
    [
      'MESSAGE sip:14155550100@127.0.0.1 SIP/2.0',
      `Via: SIP/2.0/UDP ${options.from.address}:${options.from.port};branch=z9hG4bK-${options.branch}`,
      'From: <sip:447700900123@127.0.0.1>;tag=a',
      'To: <sip:14155550100@127.0.0.1>',
      `Call-ID: ${options.branch}@127.0.0.1`,
      `CSeq: ${options.cseq ?? '2 MESSAGE'}`,
      ...pad,
      'Content-Type: text/plain',
      `Content-Length: ${Buffer.byteLength(body)}`,
      '',
      body,
    ].join('\r\n'),
  );
}

/** Sends from `from` and waits for the adapter to have dealt with it: a reply, or the counter that says why none came. */
async function send(adapter: NativeSipAdapter, port: number, from: Awaited<ReturnType<typeof peer>>, bytes: Buffer, settled: () => boolean) {
  from.socket.send(bytes, port, '127.0.0.1');
  await waitFor('the datagram to be dealt with', settled);
  // A reply, if one were coming, is sent before the counter moves; give it a moment on the wire all the same.
  await new Promise((resolve) => setTimeout(resolve, 100));
  return adapter.stats();
}

describe('native adapter over UDP: sources outside the allow-list', () => {
  it('never answers them 400: a malformed request is dropped unanswered, while an allowed source gets its 400', async () => {
    const { adapter, port } = await adapterOnUdp();
    const outsider = await peer(OUTSIDER);
    const bad = (p: { socket: Socket; port: number }, address: string, branch: string) => datagram({ from: { address, port: p.port }, branch, cseq: 'two MESSAGE' });
    const stats = await send(adapter, port, outsider, bad(outsider, OUTSIDER, 'outsider-bad'), () => adapter.stats().refused === 1);
    expect(outsider.replies).toEqual([]);
    expect(stats).toMatchObject({ refused: 1, badRequests: 0 });
    const insider = await peer(ALLOWED);
    insider.socket.send(bad(insider, ALLOWED, 'insider-bad'), port, '127.0.0.1');
    await waitFor('the 400 to the allowed source', () => insider.replies.length > 0);
    expect(insider.replies[0]).toMatch(/^SIP\/2\.0 400 Bad CSeq Header\r\n/);
  });

  it('answers a well-formed request from them 403 without calling the handler', async () => {
    const { port, calls } = await adapterOnUdp();
    const outsider = await peer(OUTSIDER);
    outsider.socket.send(datagram({ from: { address: OUTSIDER, port: outsider.port }, branch: 'outsider-ok' }), port, '127.0.0.1');
    await waitFor('the 403', () => outsider.replies.length > 0);
    expect(outsider.replies[0]).toMatch(/^SIP\/2\.0 403 Forbidden\r\n/);
    expect(calls()).toBe(0);
  });

  it('drops an oversized datagram from them unanswered', async () => {
    const { adapter, port, calls } = await adapterOnUdp({ maxMessageBytes: 2048 });
    const outsider = await peer(OUTSIDER);
    const big = datagram({ from: { address: OUTSIDER, port: outsider.port }, branch: 'outsider-big', body: 'x'.repeat(3000) });
    const stats = await send(adapter, port, outsider, big, () => adapter.stats().refused === 1);
    expect(outsider.replies).toEqual([]);
    expect(stats).toMatchObject({ refused: 1, oversized: 1 });
    expect(calls()).toBe(0);
  });
});

describe('native adapter over UDP: message size', () => {
  it('answers 413 to an allowed datagram over the limit whose headers fit, and handles one under it', async () => {
    const { adapter, port, calls } = await adapterOnUdp({ maxMessageBytes: 2048 });
    const insider = await peer(ALLOWED);
    const from = { address: ALLOWED, port: insider.port };
    insider.socket.send(datagram({ from, branch: 'big', body: 'x'.repeat(3000) }), port, '127.0.0.1');
    await waitFor('the 413', () => insider.replies.length > 0);
    expect(insider.replies[0]).toMatch(/^SIP\/2\.0 413 Request Entity Too Large\r\nVia: SIP\/2\.0\/UDP 127\.0\.0\.2:\d+;branch=z9hG4bK-big\r\n/);
    insider.socket.send(datagram({ from, branch: 'small', body: 'x'.repeat(1500) }), port, '127.0.0.1');
    await waitFor('the 200', () => insider.replies.length > 1);
    expect(insider.replies[1]).toMatch(/^SIP\/2\.0 200 OK\r\n/);
    expect(calls()).toBe(1);
    expect(adapter.stats()).toMatchObject({ oversized: 1, refused: 0 });
  });

  it('by default takes a 40 KB datagram but drops one whose header section is over 16 KiB', async () => {
    const { adapter, port, calls } = await adapterOnUdp();
    const insider = await peer(ALLOWED);
    const from = { address: ALLOWED, port: insider.port };
    insider.socket.send(datagram({ from, branch: 'long', body: 'x'.repeat(40_000) }), port, '127.0.0.1');
    await waitFor('the 200 to the long one', () => insider.replies.length > 0);
    expect(insider.replies[0]).toMatch(/^SIP\/2\.0 200 OK\r\n/);
    const stats = await send(adapter, port, insider, datagram({ from, branch: 'fat', padHeaders: 170 }), () => adapter.stats().oversized === 1);
    expect(insider.replies).toHaveLength(1);
    expect(stats).toMatchObject({ oversized: 1, refused: 0, badRequests: 0 });
    expect(calls()).toBe(1);
  });

  it('drops an allowed datagram whose header section alone is over the limit, since nothing in it can be trusted', async () => {
    const { adapter, port, calls } = await adapterOnUdp({ maxMessageBytes: 2048 });
    const insider = await peer(ALLOWED);
    const bytes = datagram({ from: { address: ALLOWED, port: insider.port }, branch: 'fat-headers', padHeaders: 30 });
    const stats = await send(adapter, port, insider, bytes, () => adapter.stats().oversized === 1);
    expect(insider.replies).toEqual([]);
    expect(stats).toMatchObject({ oversized: 1, refused: 0, badRequests: 0 });
    expect(calls()).toBe(0);
  });
});
