// The "RCML app" suite's world (docs/restcomm.md): the real service in this process, sipp as the SMSC answering
// 200 and tracing every MESSAGE it receives, an HTTP app that answers each path with its configured RCML and
// records every request, and a client speaking RestComm-Connect's REST dialect (form posts, XML or JSON).
import { mkdtemp, readFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase } from '../../helpers/test-database.js';
import { freePort, startSipp, writeScenario } from '../sip/sipp.js';
import { ACCOUNT_SID, apiClient, AUTH_TOKEN, OUR_NUMBER, serviceEnv, startInProcess } from '../e2e/e2e-harness.js';
import { ANSWER_ANYTHING, messageArrivals, parseSippTrace, type TracedMessage } from '../e2e/sipp-trace.js';

export { ACCOUNT_SID, AUTH_TOKEN, OUR_NUMBER };

export interface RcResponse {
  status: number;
  headers: Headers;
  text: string;
}

export function restcommClient(baseUrl: string, credentials: { username: string; password: string } = { username: ACCOUNT_SID, password: AUTH_TOKEN }) {
  const authorization = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
  return async (method: 'GET' | 'POST', path: string, options: { form?: Record<string, string>; accept?: string; authorization?: string } = {}): Promise<RcResponse> => {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        authorization: options.authorization ?? authorization,
        ...(options.accept ? { accept: options.accept } : {}),
        ...(options.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      body: options.form ? new URLSearchParams(options.form).toString() : undefined,
    });
    return { status: response.status, headers: response.headers, text: await response.text() };
  };
}

/** The text of each child element of the first `<parent>`, in document order, as [name, text] pairs. */
export function xmlChildren(xml: string, parent: string): Array<[string, string]> {
  const inner = new RegExp(`<${parent}>([\\s\\S]*?)</${parent}>`).exec(xml)?.[1] ?? '';
  const children: Array<[string, string]> = [];
  const pattern = /<(\w+)(?:\/>|>([\s\S]*?)<\/\1>)/g;
  for (let match = pattern.exec(inner); match; match = pattern.exec(inner)) children.push([match[1]!, match[2] ?? '']);
  return children;
}

export interface AppAnswer {
  status?: number;
  contentType?: string;
  body: string;
  headers?: Record<string, string>;
}

export interface AppRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  params: Record<string, string>;
  headers: IncomingHttpHeaders;
}

/** An app answering each path (query ignored) with its answer; unknown paths get an empty `<Response/>`. */
export async function startRcmlApp(answers: Record<string, AppAnswer>) {
  const log: AppRequest[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'http://app');
      log.push({
        method: request.method ?? '', path: url.pathname, query: Object.fromEntries(url.searchParams),
        params: Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8'))), headers: request.headers,
      });
      const answer = answers[url.pathname] ?? { body: '<Response/>' };
      response.writeHead(answer.status ?? 200, { 'content-type': answer.contentType ?? 'application/xml', ...answer.headers }).end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('app did not bind');
  return {
    url: `http://127.0.0.1:${address.port}`,
    requests: () => [...log],
    stop: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

export type RcmlApp = Awaited<ReturnType<typeof startRcmlApp>>;

/** Service + sipp SMSC + app. `cleanup` runs the stops in reverse order. */
export async function startRcmlWorld(options: { answers?: Record<string, AppAnswer>; env?: Record<string, string> } = {}) {
  const stops: Array<() => Promise<void>> = [];
  const cleanup = async (): Promise<void> => {
    for (const stop of stops.reverse()) await stop();
  };
  try {
    const testDb = await createTestDatabase();
    stops.push(() => testDb.drop());
    const app = await startRcmlApp(options.answers ?? {});
    stops.push(() => app.stop());
    const traceFile = join(await mkdtemp(join(tmpdir(), 'rcml-')), 'messages.log');
    const smsc = await startSipp({
      scenario: await writeScenario(ANSWER_ANYTHING), transport: 'udp', calls: 1_000, timeoutS: 120,
      extraArgs: ['-trace_msg', '-message_file', traceFile],
    });
    stops.push(async () => {
      smsc.kill();
      await smsc.done;
    });
    const sipPort = await freePort('udp');
    const service = await startInProcess(serviceEnv({
      databaseUrl: testDb.url, sipPort, smscPort: smsc.port, extra: { SMSC_RECEIPTS: 'false', ...options.env },
    }));
    stops.push(() => service.close());
    const arrivals = async (): Promise<TracedMessage[]> => messageArrivals(parseSippTrace(await readFile(traceFile, 'utf8').catch(() => '')));
    return { service, app, sipPort, smscPort: smsc.port, db: service.db, twilio: apiClient(service.url), rc: restcommClient(service.url), arrivals, cleanup, databaseUrl: testDb.url };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/** sipp playing the SMSC's sending side: one MO per spec, each expecting `expectStatus`. */
export async function sendMo(sipPort: number, messages: Array<{ from: string; to: string; body: string; headerLines?: string[]; expectStatus?: number }>) {
  const { smscScenario } = await import('../inbound/smsc-scenario.js');
  const { runSipp } = await import('../sip/sipp.js');
  return runSipp({
    scenario: await writeScenario(smscScenario({
      messages: messages.map((m) => ({ toUser: m.to, fromUser: m.from, headerLines: m.headerLines ?? [], body: m.body, expectStatus: m.expectStatus ?? 200 })),
    })),
    transport: 'udp',
    remote: `127.0.0.1:${sipPort}`,
  });
}
