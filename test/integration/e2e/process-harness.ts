// Helpers for the tests that run `smsc-connect serve` as child processes: start one against a test database and
// a simulator, create messages through its API while counting the 201s, and read the queue from the database.
import { startServiceProcess, type ServiceProcess } from '../../helpers/service-process.js';
import type { Database } from '../../../src/store/database.js';
import { apiClient, inPool, OUR_NUMBER, serviceEnv } from './e2e-harness.js';

/**
 * Timers for child-process tests whose SMSC always answers: Timer F of 6.4 s keeps a loaded two-core machine
 * (several processes, PostgreSQL, the simulator) from turning a late 200 into a timeout and a second send.
 */
export const ANSWERING_SMSC_SIP = { SIP_T1_MS: '100', SIP_T2_MS: '400' } as const;

export async function startServe(options: {
  databaseUrl: string;
  sipPort: number;
  smscPort: number;
  extra?: Record<string, string>;
}): Promise<ServiceProcess> {
  return startServiceProcess({ env: serviceEnv(options) });
}

/** Temporary send failures (timeouts, 4xx) recorded per body: each may explain one more copy at the SMSC. */
export async function temporaryFailuresByBody(db: Database): Promise<Map<string, number>> {
  const rows = await db.query<{ body: string; n: number }>(
    `SELECT m.body, count(*)::int AS n FROM messages m
     JOIN message_events e ON e.message_sid = m.sid AND e.type = 'send_attempt' AND e.detail->>'outcome' = 'temporary-failure'
     GROUP BY m.body`,
  );
  return new Map(rows.map((row) => [row.body, row.n]));
}

/**
 * Creates one message per body through `baseUrl` with at most `concurrency` requests at once. A request that
 * fails (the process was killed under it) is not retried: only bodies answered 201 are returned.
 */
export async function createAll(options: { baseUrl: string; bodies: string[]; concurrency: number }): Promise<string[]> {
  const api = apiClient(options.baseUrl);
  const results = await inPool(options.bodies, options.concurrency, async (Body) => {
    const response = await api.createMessage({ To: '+447700900123', From: OUR_NUMBER, Body }).catch(() => undefined);
    return response?.status === 201 ? Body : undefined;
  });
  return results.filter((body): body is string => body !== undefined);
}

/** Status of every outbound message, by body. */
export async function statusByBody(db: Database): Promise<Map<string, string>> {
  const rows = await db.query<{ body: string; status: string }>(`SELECT body, status FROM messages WHERE direction = 'outbound-api'`);
  return new Map(rows.map((row) => [row.body, row.status]));
}

export async function countInStatus(db: Database, status: string): Promise<number> {
  const [row] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM messages WHERE status = $1`, [status]);
  return row?.n ?? 0;
}

/** Bodies whose messages are all sent or delivered (undefined while some of `bodies` are not). */
export async function allSent(db: Database, bodies: readonly string[]): Promise<true | undefined> {
  const statuses = await statusByBody(db);
  return bodies.every((body) => ['sent', 'delivered'].includes(statuses.get(body) ?? '')) ? true : undefined;
}

/** Log lines at error level or above (pino: 50 error, 60 fatal), as `msg` texts: a clean run has none. */
export function errorLines(service: ServiceProcess): string[] {
  return service.lines().filter((line) => Number(line.level) >= 50).map((line) => `${String(line.msg)} ${JSON.stringify(line.err ?? '')}`);
}
