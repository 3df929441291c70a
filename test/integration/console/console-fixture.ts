// The console's test installation: the real service in this process (SIP towards an SMSC simulator that accepts
// and sends DELIVRD receipts), a customer application whose answers the test controls, and data made the way a
// customer makes it: a parent account with a number and two delivered messages whose status callbacks failed
// (WEBHOOK_MAX_ATTEMPTS=1 against an application answering 500), a subaccount with its own number and message,
// a message the SMSC refused (failed, with an error code), an API key, and one delivery receipt that matches no
// message.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { freePort } from '../sip/sipp.js';
import { ACCOUNT_SID, AUTH_TOKEN, OUR_NUMBER, serviceEnv, startInProcess, startSimulator, waitFor } from '../e2e/e2e-harness.js';
import type { RunningService } from '../../../src/main.js';
import type { Database } from '../../../src/store/database.js';

export { ACCOUNT_SID, AUTH_TOKEN, OUR_NUMBER, waitFor };
export const SUB_NUMBER = '+15005550007';
export const HANDSET = '+447700900123';
export const OTHER_HANDSET = '+447700900456';

export interface CustomerApp {
  url: string;
  /** The HTTP status every request is answered with from now on. */
  answerWith(status: number): void;
  requests(): Array<{ path: string; headers: IncomingHttpHeaders; params: Record<string, string> }>;
  stop(): Promise<void>;
}

export async function startCustomerApp(initialStatus: number): Promise<CustomerApp> {
  let status = initialStatus;
  const log: Array<{ path: string; headers: IncomingHttpHeaders; params: Record<string, string> }> = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const params = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
      log.push({ path: (request.url ?? '/').split('?')[0]!, headers: request.headers, params });
      response.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? '' : 'customer app is down');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('customer app did not bind');
  return {
    url: `http://127.0.0.1:${address.port}`,
    answerWith: (next) => (status = next),
    requests: () => [...log],
    stop: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

export function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

/** One request to the service with Basic auth; form-encoded when `form` is given. */
export async function call(options: { url: string; auth: string; method?: string; form?: Record<string, string> }): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(options.url, {
    method: options.method ?? (options.form ? 'POST' : 'GET'),
    headers: { authorization: options.auth, ...(options.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
    body: options.form ? new URLSearchParams(options.form).toString() : undefined,
  });
  const text = await response.text();
  return { status: response.status, body: (text === '' ? {} : JSON.parse(text)) as Record<string, unknown> };
}

export interface ConsoleFixture {
  service: RunningService;
  db: Database;
  app: CustomerApp;
  parent: { sid: string; token: string; auth: string };
  sub: { sid: string; token: string; auth: string };
  key: { sid: string; secret: string };
  /** The parent's messages: one with a status callback, one without. */
  delivered: string;
  second: string;
  /** Refused by the SMSC (SIP 500): failed, with an error code. */
  refused: string;
  subMessage: string;
  close(): Promise<void>;
}

export async function startConsoleFixture(): Promise<ConsoleFixture> {
  const closers: Array<() => Promise<void>> = [];
  const close = async () => {
    for (const closer of closers.reverse()) await closer();
  };
  try {
    const testDb: TestDatabase = await createTestDatabase();
    closers.push(() => testDb.drop());
    const app = await startCustomerApp(500);
    closers.push(() => app.stop());
    const sipPort = await freePort('udp');
    const smsc = await startSimulator({ servicePort: sipPort });
    closers.push(() => smsc.stop());
    const service = await startInProcess(serviceEnv({
      databaseUrl: testDb.url, sipPort, smscPort: smsc.port, extra: { WEBHOOK_MAX_ATTEMPTS: '1' },
    }));
    closers.push(() => service.close());
    const base = `${service.url}/2010-04-01`;
    const parent = { sid: ACCOUNT_SID, token: AUTH_TOKEN, auth: basic(ACCOUNT_SID, AUTH_TOKEN) };
    const created = await call({ url: `${base}/Accounts.json`, auth: parent.auth, form: { FriendlyName: 'Shop subaccount' } });
    const subSid = String(created.body.sid);
    const subToken = String(created.body.auth_token);
    const sub = { sid: subSid, token: subToken, auth: basic(subSid, subToken) };
    const keyAnswer = await call({ url: `${base}/Accounts/${parent.sid}/Keys.json`, auth: parent.auth, form: { FriendlyName: 'console' } });
    const key = { sid: String(keyAnswer.body.sid), secret: String(keyAnswer.body.secret) };

    const number = (account: { sid: string; auth: string }, phoneNumber: string) => call({
      url: `${base}/Accounts/${account.sid}/IncomingPhoneNumbers.json`, auth: account.auth,
      form: { PhoneNumber: phoneNumber, SmsUrl: `${app.url}/sms` },
    });
    const send = async (account: { sid: string; auth: string }, form: Record<string, string>) => {
      const answer = await call({ url: `${base}/Accounts/${account.sid}/Messages.json`, auth: account.auth, form });
      if (answer.status !== 201) throw new Error(`message not created: ${JSON.stringify(answer.body)}`);
      return String(answer.body.sid);
    };
    for (const answer of [await number(parent, OUR_NUMBER), await number(sub, SUB_NUMBER)]) {
      if (answer.status !== 201) throw new Error(`number not created: ${JSON.stringify(answer.body)}`);
    }
    const delivered = await send(parent, { To: HANDSET, From: OUR_NUMBER, Body: 'Your code is 4711', StatusCallback: `${app.url}/status` });
    const second = await send(parent, { To: OTHER_HANDSET, From: OUR_NUMBER, Body: 'See you at 10' });
    const subMessage = await send(sub, { To: HANDSET, From: SUB_NUMBER, Body: 'Subaccount hello' });
    const db = service.db;
    await waitFor('the messages to be delivered', async () => {
      const rows = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM messages WHERE status = 'delivered'`);
      return rows[0]?.n === 3;
    }, { timeoutMs: 20_000 });
    // sent and delivered callbacks of the first message, one attempt each, both answered 500.
    await waitFor('its two status callbacks to fail', async () => {
      const rows = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM webhook_deliveries WHERE state = 'failed' AND message_sid = $1`, [delivered]);
      return rows[0]?.n === 2;
    }, { timeoutMs: 20_000 });
    // One message the SMSC refuses for good (SIP 500, 30008), so that the overview has an error code to show.
    smsc.setPolicy({ answer: 500 });
    const refused = await send(parent, { To: HANDSET, From: OUR_NUMBER, Body: 'Refused by the carrier' });
    await waitFor('the refused message to fail', async () => {
      const rows = await db.query<{ status: string }>('SELECT status FROM messages WHERE sid = $1', [refused]);
      return rows[0]?.status === 'failed';
    }, { timeoutMs: 20_000 });
    smsc.setPolicy({ answer: 200 });
    // A receipt for a message the SMSC says we sent from OUR_NUMBER, but that no row matches: given up.
    await db.query(
      `INSERT INTO delivery_receipts (source, raw_text, from_address, to_address, stat, err, text, match_attempts)
       VALUES ('sip', $1, '447700900999', '15005550006', 'DELIVRD', '000', 'Who sent this', 5)`,
      ['id:0 sub:001 dlvrd:001 submit date:2612031200 done date:2612031201 stat:DELIVRD err:000 text:Who sent this'],
    );
    return { service, db, app, parent, sub, key, delivered, second, refused, subMessage, close };
  } catch (error) {
    await close();
    throw error;
  }
}
