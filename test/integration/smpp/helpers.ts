// Shared plumbing for the SMPP integration tests: a simulator server on 127.0.0.1:0 and a client pointed at it.
import { createEsmeClient, type EsmeClient, type EsmeClientOptions } from '../../../src/smpp/esme-session.js';
import { createSmscServer, type SmscServer, type SmscServerOptions, type SmscSession } from '../../../src/smpp/smsc-server.js';
import type { SubmitSmParams } from '../../../src/smpp/submit-builder.js';
import { buildSubmitSms } from '../../../src/smpp/submit-builder.js';
import { waitFor } from '../../helpers/wait-for.js';

export { waitFor };

export const ACCOUNT = { systemId: 'esme1', password: 'secret1' };

export async function startServer(options: Partial<SmscServerOptions> = {}): Promise<{ server: SmscServer; port: number }> {
  const server = createSmscServer({ accounts: [ACCOUNT], ...options });
  const { port } = await server.listen();
  return { server, port };
}

export function clientFor(port: number, options: Partial<EsmeClientOptions> = {}): EsmeClient {
  return createEsmeClient({
    host: '127.0.0.1',
    port,
    ...ACCOUNT,
    requestTimeoutMs: 2_000,
    reconnect: { initialDelayMs: 20, maxDelayMs: 100 },
    ...options,
  });
}

export function textSubmit(text: string, to = '+447700900123'): SubmitSmParams {
  const [params] = buildSubmitSms({
    to, from: '+15005550006', text, coding: 0, registeredDelivery: true, longMessageMode: 'udh', bodyEncoding: 'gsm7',
  });
  if (!params) throw new Error('no submit params');
  return params;
}


export async function boundSession(server: SmscServer, exclude?: SmscSession): Promise<SmscSession> {
  return waitFor('a bound SMPP session', () => server.sessions().find((session) => session !== exclude));
}

/** A promise plus its resolver, for holding a hook open. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}
