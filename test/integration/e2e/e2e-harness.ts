// Shared pieces of the end-to-end tests: the service's environment (shrunk SIP timers, short backoffs), an API
// client speaking Twilio's form-encoded REST, an SMSC simulator bound to the service, condition waits with
// deadlines, and per-body counts of what the SMSC saw.
import pino from 'pino';
import { loadConfig } from '../../../src/config/index.js';
import { start, type RunningService } from '../../../src/main.js';
import { createSmscSimulator, type ReceivedMessage, type SmscSimulator } from '../../../src/simulator/index.js';
import type { ReceiptSettings } from '../../../src/simulator/simulator-types.js';
import type { SimulatorPolicy } from '../../../src/simulator/policy.js';
import type { Database } from '../../../src/store/database.js';

export const ACCOUNT_SID = `AC${'e2e0'.repeat(8)}`;
export const AUTH_TOKEN = 'e2e-auth-token-0123456789abcdef';
export const OUR_NUMBER = '+15005550006';
export const silentLogger = pino({ enabled: false });

/** SIP timers shrunk 20×: Timer F (64 × T1) is 1.6 s, so a silent SMSC costs a test seconds, not half a minute. */
export const FAST_SIP = { SIP_T1_MS: '25', SIP_T2_MS: '200', SIP_T4_MS: '250' } as const;

/** The service's environment: one account, SIP on 127.0.0.1:sipPort over UDP towards the SMSC on smscPort. */
export function serviceEnv(options: { databaseUrl: string; sipPort: number; smscPort: number; extra?: Record<string, string> }): Record<string, string> {
  return {
    DATABASE_URL: options.databaseUrl,
    PORT: '0',
    LOG_LEVEL: 'info',
    ACCOUNT_SID,
    AUTH_TOKEN,
    SIP_LISTEN: `udp:127.0.0.1:${options.sipPort}`,
    SMSC_URI: `sip:127.0.0.1:${options.smscPort};transport=udp`,
    SIP_ALLOWED_SOURCES: '127.0.0.1/32',
    SEND_RETRY_BASE_MS: '200',
    SEND_RETRY_MAX_MS: '1000',
    ...FAST_SIP,
    ...options.extra,
  };
}

/** The service in this process (for tests that read its dispatcher or need no signals). */
export async function startInProcess(env: Record<string, string>): Promise<RunningService> {
  return start({ config: loadConfig({ ...env, LOG_LEVEL: 'silent' }), logger: silentLogger, drainMs: 2_000 });
}

/** An SMSC simulator on a free UDP port whose MO and receipts go to the service's SIP port. */
export async function startSimulator(options: {
  servicePort: number;
  policy?: SimulatorPolicy;
  receipts?: Partial<ReceiptSettings>;
}): Promise<SmscSimulator & { port: number }> {
  const simulator = createSmscSimulator({
    sipListen: [{ transport: 'udp', host: '127.0.0.1', port: 0 }],
    serviceUri: `sip:127.0.0.1:${options.servicePort};transport=udp`,
    policy: options.policy ?? { answer: 200 },
    receipts: { delayMs: 50, outcome: 'delivered', retry: { attempts: 5, delayMs: 300 }, ...options.receipts },
    sipTimers: { t1Ms: 25, t2Ms: 200, t4Ms: 250 },
    logger: silentLogger,
  });
  await simulator.start();
  return Object.assign(simulator, { port: simulator.boundAddresses()[0]!.port });
}

export interface ApiResponse {
  status: number;
  body: Record<string, unknown>;
}

/** A minimal Twilio REST client: form-encoded POSTs with Basic auth, JSON answers. */
export function apiClient(baseUrl: string) {
  const authorization = `Basic ${Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64')}`;
  const base = `${baseUrl}/2010-04-01/Accounts/${ACCOUNT_SID}`;
  const request = async (method: 'GET' | 'POST', path: string, form?: Record<string, string>): Promise<ApiResponse> => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { authorization, ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      body: form ? new URLSearchParams(form).toString() : undefined,
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  return {
    createNumber: (form: Record<string, string>) => request('POST', '/IncomingPhoneNumbers.json', form),
    createMessage: (form: Record<string, string>) => request('POST', '/Messages.json', form),
    fetchMessage: (sid: string) => request('GET', `/Messages/${sid}.json`),
  };
}

/** Runs `work` over `items` with at most `concurrency` at once; results in item order. */
export async function inPool<T, R>(items: readonly T[], concurrency: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}

/** Polls `probe` until it returns something other than undefined/false; throws with `what` after the deadline. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  options: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 100));
  }
}

/** How often each body reached the SMSC, split by what the SMSC did with it. */
export function countBodies(received: readonly ReceivedMessage[]): { accepted: Map<string, number>; unanswered: Map<string, number> } {
  const accepted = new Map<string, number>();
  const unanswered = new Map<string, number>();
  for (const message of received) {
    const ok = message.outcome.kind === 'answered' && message.outcome.status < 300;
    const counts = ok ? accepted : unanswered;
    counts.set(message.text, (counts.get(message.text) ?? 0) + 1);
  }
  return { accepted, unanswered };
}

/** Outbound message rows by status. */
export async function statusCounts(db: Database): Promise<Record<string, number>> {
  const rows = await db.query<{ status: string; n: number }>(
    `SELECT status, count(*)::int AS n FROM messages WHERE direction <> 'inbound' GROUP BY status`,
  );
  return Object.fromEntries(rows.map((row) => [row.status, row.n]));
}

/**
 * Waits until the dispatcher's slow mode (one probe MESSAGE per doubling poll delay while the SMSC is silent) has
 * just sent a probe at least `minGapMs` after the one before: its next probe is then due no sooner than about
 * twice that gap. Returns when that probe arrived. A test that restores the SMSC right then can tell "resumed on
 * the first answer" from "slept out the slow-mode delay" by order of events, not by speed.
 */
export async function waitForSlowModeGap(smsc: SmscSimulator, minGapMs: number, timeoutMs = 60_000): Promise<{ lastProbeAt: number; gapMs: number }> {
  return waitFor(`a slow-mode probe ${minGapMs} ms after the previous one`, () => {
    const arrivals = smsc.received().map((m) => m.arrivedAt.getTime()).sort((a, b) => a - b);
    const last = arrivals.at(-1);
    const before = arrivals.at(-2);
    if (last === undefined || before === undefined || last - before < minGapMs || Date.now() - last > 300) return undefined;
    return { lastProbeAt: last, gapMs: last - before };
  }, { timeoutMs, intervalMs: 20 });
}
