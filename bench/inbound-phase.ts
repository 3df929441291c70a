// Phase c: M MO messages pushed through the simulator's control API (closed loop), each answered by the
// service over SIP, turned into a webhook to the echo receiver, whose TwiML reply goes back out through the SMSC
// to the simulator. Measured: MO accept rate, webhooks/s and replies/s (first MO to last webhook / reply).
import type { Agent } from 'node:http';
import type { BenchEnvironment } from './bench-environment.js';
import { getJson, runClosedLoop, send } from './http-load.js';
import { BENCH_NUMBER, type EchoRequest, type EchoStats } from './outbound-phase.js';
import { waitForCount, type WaitEnd } from './wait-for-count.js';

export interface InboundResult {
  sent: number;
  moAccepted: number;
  moErrors: number;
  moStatuses: Record<string, number>;
  moPerSecond: number;
  /** How the waits ended: complete, stalled (missing = lost) or deadline (missing = unfinished, still moving). */
  waitEnded: WaitEnd;
  webhooks: number;
  webhooksLost: number;
  webhooksUnfinished: number;
  webhooksPerSecond: number;
  replies: number;
  repliesLost: number;
  repliesUnfinished: number;
  repliesPerSecond: number;
  seconds: number;
}

interface SimulatorStats { received: number; receipts: { sent: number } }
interface SimulatorReceived { arrivedAt: string; text: string }

export async function runInbound(options: {
  env: BenchEnvironment; agent: Agent; count: number; concurrency: number; stallMs: number; deadlineMs: number; onSettled?: () => Promise<void>;
}): Promise<InboundResult> {
  const { env, agent } = options;
  const receiverStats = (): Promise<EchoStats> => getJson<EchoStats>(agent, `${env.receiverUrl}/stats`);
  const simulatorStats = (): Promise<SimulatorStats> => getJson<SimulatorStats>(agent, `${env.controlUrl}/stats`);
  const inboundBefore = (await receiverStats()).inbound;
  const receivedBefore = (await simulatorStats()).received;
  const startedAt = Date.now();
  const statuses = await sendMos({ ...options, tag: `bench mo` });
  const moSeconds = (Date.now() - startedAt) / 1000;
  const moAccepted = statuses.filter((s) => s === 200).length;
  const limits = { stallMs: options.stallMs, deadlineMs: options.deadlineMs, target: moAccepted };
  const webhookWait = await waitForCount({
    ...limits,
    read: async () => {
      const now = await receiverStats();
      return { done: now.inbound - inboundBefore, activity: now.requests };
    },
  });
  const replyWait = await waitForCount({
    ...limits,
    deadlineMs: Math.max(1000, options.deadlineMs - (Date.now() - startedAt)),
    read: async () => {
      const now = await simulatorStats();
      return { done: now.received - receivedBefore, activity: now.received + now.receipts.sent };
    },
  });
  await options.onSettled?.();
  const webhooks = await lastByText({
    agent,
    url: `${env.receiverUrl}/requests`,
    pick: (r: EchoRequest) => (r.kind === 'inbound' ? { text: String(r.params.Body), at: r.receivedAt } : null),
    prefix: 'bench mo ',
  });
  const replies = await lastByText({
    agent,
    url: `${env.controlUrl}/received`,
    pick: (r: SimulatorReceived) => ({ text: r.text, at: r.arrivedAt }),
    prefix: 'Echo: bench mo ',
  });
  const moStatuses: Record<string, number> = {};
  for (const status of statuses) moStatuses[status] = (moStatuses[status] ?? 0) + 1;
  const rate = (n: number, last: number): number => (last > startedAt ? n / ((last - startedAt) / 1000) : 0);
  const waitEnded: WaitEnd = [webhookWait.end, replyWait.end].find((end) => end !== 'complete') ?? 'complete';
  const split = (missing: number) => (waitEnded === 'deadline' ? { lost: 0, unfinished: missing } : { lost: missing, unfinished: 0 });
  const webhooksMissing = split(moAccepted - webhooks.count);
  const repliesMissing = split(webhooks.count - replies.count);
  return {
    sent: statuses.length, moAccepted, moErrors: statuses.length - moAccepted, moStatuses, moPerSecond: moAccepted / moSeconds, waitEnded,
    webhooks: webhooks.count, webhooksLost: webhooksMissing.lost, webhooksUnfinished: webhooksMissing.unfinished,
    webhooksPerSecond: rate(webhooks.count, webhooks.last),
    replies: replies.count, repliesLost: repliesMissing.lost, repliesUnfinished: repliesMissing.unfinished,
    repliesPerSecond: rate(replies.count, replies.last),
    seconds: (Math.max(startedAt, webhooks.last, replies.last) - startedAt) / 1000,
  };
}

async function sendMos(options: { env: BenchEnvironment; agent: Agent; count: number; concurrency: number; tag: string }): Promise<number[]> {
  const url = `${options.env.controlUrl}/mo`;
  return runClosedLoop({
    count: options.count,
    concurrency: options.concurrency,
    run: async (i) => {
      const body = JSON.stringify({ from: `4477009${String(i % 100_000).padStart(5, '0')}`, to: BENCH_NUMBER.slice(1), text: `${options.tag} ${i}` });
      const result = await send(options.agent, { method: 'POST', url, headers: { 'content-type': 'application/json' }, body });
      if (result.status !== 200) return result.status === 0 ? 0 : -result.status;
      const answer = JSON.parse(result.body) as { responses: Array<{ status: number }> };
      return answer.responses.at(-1)?.status ?? 0;
    },
  });
}

/** Distinct texts with the prefix, and the latest time any of them was seen. */
async function lastByText<T>(options: {
  agent: Agent; url: string; prefix: string; pick: (item: T) => { text: string; at: string } | null;
}): Promise<{ count: number; last: number }> {
  const seen = new Set<string>();
  let last = 0;
  for (const item of await getJson<T[]>(options.agent, options.url)) {
    const picked = options.pick(item);
    if (!picked || !picked.text.startsWith(options.prefix)) continue;
    seen.add(picked.text);
    last = Math.max(last, Date.parse(picked.at));
  }
  return { count: seen.size, last };
}
