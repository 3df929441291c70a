// A burst of SIP datagrams while the event loop is busy must wait in the socket, not be dropped by the kernel:
// dropped 200 OKs made sends look unanswered until a retransmission, after their receipts (the bench parked 12 %
// of SIP receipts with Linux's default receive buffer). A peer in another process sends 2,000 datagrams of 1 KB
// (several MB of kernel memory with its per-datagram overhead, far past the default 208 KB) while this process
// is blocked; every one must arrive.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import pino from 'pino';
import { afterEach, expect, it } from 'vitest';
import { createUdpTransport, UDP_RECEIVE_BUFFER_BYTES } from '../../../src/sip/native/transports.js';
import { waitFor } from '../../helpers/wait-for.js';

const DATAGRAMS = 2000;
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function rmemMax(): number {
  try {
    return Number(readFileSync('/proc/sys/net/core/rmem_max', 'utf8').trim());
  } catch {
    return 0;
  }
}

it.skipIf(rmemMax() < UDP_RECEIVE_BUFFER_BYTES)('keeps a burst of datagrams that arrives while the event loop is blocked', async () => {
  let received = 0;
  const transport = createUdpTransport({
    listen: { transport: 'udp', host: '127.0.0.1', port: 0 }, onBytes: () => { received += 1; }, logger: pino({ enabled: false }),
  });
  const { port } = await transport.start();
  cleanups.push(() => transport.stop());
  const sender = spawn(process.execPath, ['-e', `
    const s = require('node:dgram').createSocket('udp4');
    const payload = Buffer.alloc(1000, 65);
    let left = ${DATAGRAMS};
    const next = () => { if (left-- === 0) { s.close(() => process.exit(0)); return; } s.send(payload, ${port}, '127.0.0.1', next); };
    process.stdin.once('data', next);
  `], { stdio: ['pipe', 'ignore', 'inherit'] });
  const exited = new Promise<number | null>((resolve) => sender.once('exit', resolve));
  sender.stdin.end('go\n');
  // Busy until the sender is done: nothing is read from our socket meanwhile, so all of it waits in the buffer.
  const until = Date.now() + 1500;
  while (Date.now() < until) { /* blocked on purpose */ }
  expect(await exited).toBe(0);
  await waitFor('every datagram', () => (received === DATAGRAMS ? true : undefined), { timeoutMs: 5000 });
  expect(received).toBe(DATAGRAMS);
});
