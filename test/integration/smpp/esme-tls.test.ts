import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SmppClientStoppedError } from '../../../src/smpp/errors.js';
import { clientFor, startServer, textSubmit } from './helpers.js';

let dir = '';
let key = '';
let cert = '';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'smpp-tls-'));
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1',
    '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
  ], { stdio: 'ignore' });
  key = readFileSync(join(dir, 'key.pem'), 'utf8');
  cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('ESME over TLS', () => {
  it('binds and submits over TLS when the SMSC certificate is trusted', async () => {
    const { server, port } = await startServer({ tls: { key, cert } });
    const client = clientFor(port, { tls: { ca: cert } });
    try {
      await client.start();
      expect(await client.submit(textSubmit('secret'))).toEqual({ messageId: '0000000001' });
    } finally {
      await client.stop();
      await server.close();
    }
  });

  it('refuses an untrusted certificate and never binds', async () => {
    const { server, port } = await startServer({ tls: { key, cert } });
    const client = clientFor(port, { tls: true, queueTimeoutMs: 300 });
    const start = client.start().catch((e: unknown) => e);
    try {
      const error = await client.submit(textSubmit('nope')).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'SMPP_QUEUE_TIMEOUT' });
      expect(client.isBound()).toBe(false);
      expect(server.sessions()).toEqual([]);
    } finally {
      await client.stop();
      await server.close();
    }
    expect(await start).toBeInstanceOf(SmppClientStoppedError);
  });
});
