// The SMPP road end to end: the service in-process (start() from main.ts) on a cloned PostgreSQL database, the
// SMSC simulator's SMPP side (a `simulated` account: our service is the ESME) on a fixed free port so it can be
// stopped and restarted, a webhook receiver that checks X-Twilio-Signature with twilio.validateRequest, and a
// small form-encoded API client for our extension parameters (the twilio SDK drops unknown ones).
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createSocket } from 'node:dgram';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import pino from 'pino';
import twilio from 'twilio';
import { loadConfig } from '../../../src/config/index.js';
import { start, type RunningService } from '../../../src/main.js';
import { createSmscSimulator, type SmscSimulator } from '../../../src/simulator/index.js';
import type { SmppMessageIdStyle } from '../../../src/simulator/receipt-message.js';
import type { ReceiptSettings } from '../../../src/simulator/simulator-types.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { waitForWith } from '../../helpers/wait-for.js';

export const ACCOUNT_SID = `AC${'5a0e'.repeat(8)}`;
export const AUTH_TOKEN = 'smpp-route-token-0123456789abcdef';
export const SMPP_ACCOUNT = { systemId: 'ours', password: 'pw0rd' };
const silent = pino({ enabled: false });

export async function freeTcpPort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function freeUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

export interface ReceivedWebhook {
  path: string;
  params: Record<string, string>;
  signatureValid: boolean;
}

/** Records every webhook; answers inbound SMS with an empty TwiML response and status callbacks with 204. */
export async function startReceiver(): Promise<{ url: string; received: ReceivedWebhook[]; close(): Promise<void> }> {
  const received: ReceivedWebhook[] = [];
  let base = '';
  const server: Server = createServer((request, response) => {
    void readForm(request).then((params) => {
      const path = request.url ?? '/';
      const signature = String(request.headers['x-twilio-signature'] ?? '');
      received.push({ path, params, signatureValid: twilio.validateRequest(AUTH_TOKEN, signature, `${base}${path}`, params) });
      if (path.startsWith('/status')) response.writeHead(204).end();
      else response.writeHead(200, { 'content-type': 'text/xml' }).end('<Response/>');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url: base, received, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

async function readForm(request: IncomingMessage): Promise<Record<string, string>> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
}

export interface Stack {
  service: RunningService;
  simulator: SmscSimulator;
  smppPort: number;
  receiver: Awaited<ReturnType<typeof startReceiver>>;
  api: ReturnType<typeof apiClient>;
  sdk: ReturnType<typeof twilio>;
  /** Values the simulator's random source returns next (then 0): pins which receipt is UNDELIV. */
  randomQueue: number[];
  close(): Promise<void>;
}

export interface StackOptions {
  env?: Record<string, string>;
  receipts?: Partial<ReceiptSettings>;
  /** How the simulator's SMPP side spells message ids (default RestComm's 10 digits). */
  smppMessageIds?: SmppMessageIdStyle;
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const database: TestDatabase = await createTestDatabase();
  const [smppPort, servicePort] = [await freeTcpPort(), await freeUdpPort()];
  const randomQueue: number[] = [];
  const simulator = createSmscSimulator({
    sipListen: [{ transport: 'udp', host: '127.0.0.1', port: 0 }],
    serviceUri: `sip:127.0.0.1:${servicePort};transport=udp`,
    policy: { answer: 200 },
    receipts: { delayMs: 50, outcome: 'delivered', ...options.receipts },
    sipTimers: { t1Ms: 25, t2Ms: 200, t4Ms: 250 },
    smpp: {
      listen: { host: '127.0.0.1', port: smppPort }, accounts: [{ ...SMPP_ACCOUNT, delivery: 'simulated' }],
      ...(options.smppMessageIds ? { messageIds: options.smppMessageIds } : {}),
    },
    random: () => randomQueue.shift() ?? 0,
    logger: silent,
  });
  await simulator.start();
  const receiver = await startReceiver();
  const config = loadConfig({
    DATABASE_URL: database.url, PORT: '0', LOG_LEVEL: 'silent', ACCOUNT_SID, AUTH_TOKEN,
    SIP_LISTEN: `udp:127.0.0.1:${servicePort}`,
    SMSC_URI: `sip:127.0.0.1:${simulator.boundAddresses()[0]!.port};transport=udp`,
    SIP_ALLOWED_SOURCES: '127.0.0.1/32', SIP_T1_MS: '25', SIP_T2_MS: '200', SIP_T4_MS: '250',
    SEND_RETRY_BASE_MS: '200', SEND_RETRY_MAX_MS: '1000',
    SMPP_BINDS: `smpp://${SMPP_ACCOUNT.systemId}:${SMPP_ACCOUNT.password}@127.0.0.1:${smppPort}`,
    SMPP_REQUEST_TIMEOUT_MS: '2000',
    ...options.env,
    // `{SMPP}` in a caller's SMPP_BINDS stands for the simulator's port.
    ...(options.env?.SMPP_BINDS ? { SMPP_BINDS: options.env.SMPP_BINDS.replaceAll('{SMPP}', String(smppPort)) } : {}),
  });
  const service = await start({ config, logger: silent, drainMs: 2_000 });
  const sdk = twilio(ACCOUNT_SID, AUTH_TOKEN);
  sdk.api.baseUrl = service.url;
  return {
    service, simulator, smppPort, receiver, api: apiClient(service.url), sdk, randomQueue,
    async close() {
      await service.close();
      await simulator.stop();
      await receiver.close();
      await database.drop();
    },
  };
}

export function apiClient(baseUrl: string) {
  const authorization = `Basic ${Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64')}`;
  const request = async (method: 'GET' | 'POST', path: string, form?: Record<string, string>) => {
    const response = await fetch(`${baseUrl}/2010-04-01/Accounts/${ACCOUNT_SID}${path}`, {
      method,
      headers: { authorization, ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      ...(form ? { body: new URLSearchParams(form).toString() } : {}),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  return {
    setAccountRoute: (route: string) => request('POST', '.json', { SmscRoute: route }),
    createMessage: (form: Record<string, string>) => request('POST', '/Messages.json', form),
    createNumber: (form: Record<string, string>) => request('POST', '/IncomingPhoneNumbers.json', form),
    updateNumber: (sid: string, form: Record<string, string>) => request('POST', `/IncomingPhoneNumbers/${sid}.json`, form),
    events: async (sid: string) => (await request('GET', `/Messages/${sid}/Events.json`)).body.events as Array<{ type: string; status: string | null; detail: Record<string, unknown> }>,
  };
}

/** Polls until `probe` returns something other than undefined/false (test/helpers/wait-for.ts). */
export const waitFor = waitForWith({ timeoutMs: 20_000, intervalMs: 50 });

/** Waits until the message has the status (and returns it as the SDK sees it). */
export async function waitForStatus(stack: Stack, sid: string, status: string, timeoutMs = 20_000) {
  return waitFor(`${sid} to be ${status}`, async () => {
    const message = await stack.sdk.messages(sid).fetch();
    return message.status === status ? message : undefined;
  }, { timeoutMs });
}

/**
 * The SMSC submissions of a message, in part order: a single-part message keeps its SMSC id on its own row
 * (messages.smsc_message_id, its part status being the message's), a multi-part one has a smsc_submissions row per part.
 */
export async function submissions(stack: Stack, sid: string) {
  return stack.service.db.query<{ route: string; part_number: number; total_parts: number; smsc_message_id: string | null; status: string }>(
    `SELECT route, part_number, total_parts, smsc_message_id, status FROM (
       SELECT id, route, part_number, total_parts, smsc_message_id, status FROM smsc_submissions WHERE message_sid = $1
       UNION ALL
       SELECT 0, route, 1, 1, smsc_message_id,
         CASE WHEN status IN ('delivered', 'undelivered') THEN status ELSE 'submitted' END
       FROM messages WHERE sid = $1 AND smsc_message_id IS NOT NULL) s
     ORDER BY id`,
    [sid],
  );
}
