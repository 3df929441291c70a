// Phases a and b: N creates at a fixed concurrency (accept rate and latency), then the time until the receiver
// has the `delivered` status callback of every accepted message (end-to-end rate). Lost = accepted messages
// whose delivered callback never came.
import type { Agent } from 'node:http';
import type { BenchEnvironment } from './bench-environment.js';
import { getJson, percentile, runClosedLoop, send } from './http-load.js';
import { createMessageForm, twilioHeaders } from './twilio-request.js';
import { waitForCount, type WaitEnd } from './wait-for-count.js';

export const BENCH_NUMBER = '+15005550006';
/** The number of the SMPP phase: provisioned with SmscRoute=smpp. */
export const BENCH_SMPP_NUMBER = '+15005550007';

export interface EchoStats { requests: number; inbound: number; statusCallbacks: number; invalidSignatures: number; statuses: Record<string, number> }
export interface EchoRequest { receivedAt: string; kind: string; params: Record<string, string | string[]>; signatureValid: boolean | null }

export interface AcceptResult {
  requests: number;
  accepted: number;
  errors: number;
  errorStatuses: Record<string, number>;
  seconds: number;
  perSecond: number;
  latencyMs: { p50: number; p95: number; p99: number; max: number };
  sids: string[];
}

export interface OutboundResult {
  delivered: number;
  /** How the phase's wait ended: complete, stalled (nothing moved for --stall-timeout-ms) or deadline. */
  waitEnded: WaitEnd;
  /** Delivered callbacks that came after the wait ended (counted at the end of the run). */
  late: number;
  /** Accepted messages with no delivered callback by the end of the whole run. */
  lost: number;
  otherStatuses: Record<string, number>;
  seconds: number;
  perSecond: number;
  /** First create to the last delivered callback, late ones included. */
  eventualSeconds: number;
}

export async function runCreates(options: { env: BenchEnvironment; agent: Agent; count: number; concurrency: number; tag: string; from?: string }): Promise<AcceptResult> {
  const { env } = options;
  const url = `${env.serviceUrl}/2010-04-01/Accounts/${env.credentials.accountSid}/Messages.json`;
  const started = Date.now();
  const results = await runClosedLoop({
    count: options.count,
    concurrency: options.concurrency,
    run: (i) => {
      const body = createMessageForm({
        to: `+4477009${String(i % 100_000).padStart(5, '0')}`, from: options.from ?? BENCH_NUMBER,
        body: `${options.tag} ${i}: hello from the benchmark`, statusCallback: `${env.receiverUrl}/status`,
      });
      return send(options.agent, { method: 'POST', url, headers: twilioHeaders(env.credentials, body), body });
    },
  });
  const seconds = (Date.now() - started) / 1000;
  const sids: string[] = [];
  const errorStatuses: Record<string, number> = {};
  for (const result of results) {
    if (result.status === 201) sids.push((JSON.parse(result.body) as { sid: string }).sid);
    else errorStatuses[result.status] = (errorStatuses[result.status] ?? 0) + 1;
  }
  const latencies = results.map((r) => r.ms).sort((a, b) => a - b);
  return {
    requests: results.length, accepted: sids.length, errors: results.length - sids.length, errorStatuses, seconds,
    perSecond: sids.length / seconds,
    latencyMs: { p50: percentile(latencies, 50), p95: percentile(latencies, 95), p99: percentile(latencies, 99), max: latencies.at(-1) ?? 0 },
    sids,
  };
}

/** Waits for the delivered callbacks of `sids` (created from `startedAt` on) and measures when the last came. */
export async function awaitDelivered(options: {
  env: BenchEnvironment; agent: Agent; sids: string[]; startedAt: number; deliveredBefore: number; stallMs: number; deadlineMs: number;
  /** Called as soon as the count is reached (or the wait ends), before the receiver's log is fetched and analysed. */
  onSettled?: () => Promise<void>;
}): Promise<OutboundResult> {
  const stats = (): Promise<EchoStats> => getJson<EchoStats>(options.agent, `${options.env.receiverUrl}/stats`);
  const wait = await waitForCount({
    read: async () => {
      const now = await stats();
      return { done: (now.statuses.delivered ?? 0) - options.deliveredBefore, activity: now.requests };
    },
    target: options.sids.length,
    stallMs: options.stallMs,
    deadlineMs: options.deadlineMs,
  });
  await options.onSettled?.();
  const tally = await tallyDelivered(options);
  const seconds = (tally.last - options.startedAt) / 1000;
  const missing = options.sids.length - tally.delivered;
  return {
    delivered: tally.delivered, waitEnded: wait.end, late: 0, lost: missing, otherStatuses: tally.otherStatuses,
    seconds, perSecond: seconds > 0 ? tally.delivered / seconds : 0, eventualSeconds: seconds,
  };
}

/**
 * At the very end of the run: callbacks that were missing when the phase's wait ended but arrived later are
 * "late", not lost; `eventualSeconds` is then the time to the last delivered callback, whenever it came.
 */
export async function reconcileOutbound(options: {
  env: BenchEnvironment; agent: Agent; sids: string[]; startedAt: number; result: OutboundResult;
}): Promise<OutboundResult> {
  if (options.result.lost === 0) return options.result;
  const tally = await tallyDelivered(options);
  return {
    ...options.result,
    late: tally.delivered - options.result.delivered,
    lost: options.sids.length - tally.delivered,
    eventualSeconds: (tally.last - options.startedAt) / 1000,
  };
}

async function tallyDelivered(options: { env: BenchEnvironment; agent: Agent; sids: string[]; startedAt: number }) {
  const wanted = new Set(options.sids);
  const delivered = new Set<string>();
  const otherStatuses: Record<string, number> = {};
  let last = options.startedAt;
  for (const request of await getJson<EchoRequest[]>(options.agent, `${options.env.receiverUrl}/requests`)) {
    const sid = String(request.params.MessageSid);
    if (request.kind !== 'status-callback' || !wanted.has(sid)) continue;
    const status = String(request.params.MessageStatus);
    if (status === 'delivered') {
      delivered.add(sid);
      last = Math.max(last, Date.parse(request.receivedAt));
    } else if (status !== 'sent') {
      otherStatuses[status] = (otherStatuses[status] ?? 0) + 1;
    }
  }
  return { delivered: delivered.size, last, otherStatuses };
}
