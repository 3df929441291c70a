// One database's full run: environment up, number provisioned, warm-up, phases a+b (outbound) and c (inbound)
// with resource marks around each, environment down (always).
import type { BenchOptions, DatabaseChoice } from './bench-options.js';
import { startBenchEnvironment, type BenchEnvironment } from './bench-environment.js';
import { keepAliveAgent, send, getJson } from './http-load.js';
import { runInbound, type InboundResult } from './inbound-phase.js';
import { awaitDelivered, BENCH_NUMBER, reconcileOutbound, runCreates, type AcceptResult, type EchoStats, type OutboundResult } from './outbound-phase.js';
import { pidsMatching } from './proc-stats.js';
import { cpuBetween, startResourceSampler, type ResourceMark, type ResourceSampler } from './resource-sampler.js';
import { twilioForm, twilioHeaders } from './twilio-request.js';

export interface PhaseResources { wallSeconds: number; cpuSeconds: Record<string, number>; servicePeakRssMb: number }

export interface DatabaseRun {
  database: DatabaseChoice;
  settings: Record<string, string>;
  messages: number;
  inboundMessages: number;
  accept: Omit<AcceptResult, 'sids'>;
  outbound: OutboundResult;
  inbound: InboundResult;
  resources: { accept: PhaseResources; outbound: PhaseResources; inbound: PhaseResources; serviceHwmMb: number };
  /** The simulator's and the receiver's own counters at the end (warm-up included), for diagnosis. */
  counters: { simulator: unknown; receiver: unknown };
}

export async function runDatabase(options: { bench: BenchOptions; database: DatabaseChoice; root: string; logDir: string }): Promise<DatabaseRun> {
  const { bench, database } = options;
  const env = await startBenchEnvironment({
    database, adminUrl: bench.adminUrl, receiptDelayMs: bench.receiptDelayMs, maxInFlight: bench.maxInFlight, root: options.root, logDir: options.logDir,
  });
  const sampler = startResourceSampler({ servicePid: env.service.pid, pids: rolePids(env) });
  const agent = keepAliveAgent(Math.max(bench.concurrency, bench.inboundConcurrency) + 4);
  try {
    await provisionNumber(env);
    await outbound({ env, bench, agent, count: Math.min(200, Math.ceil(bench.messages[database] / 10)), tag: 'warm-up' });
    const messages = bench.messages[database];
    const out = await outbound({ env, bench, agent, count: messages, tag: 'bench', sampler });
    const m3 = await sampler.mark();
    let m4: ResourceMark = m3;
    const inbound = await runInbound({
      env, agent, count: bench.inbound[database], concurrency: bench.inboundConcurrency, stallMs: bench.stallTimeoutMs, deadlineMs: bench.maxWaitMs,
      onSettled: async () => void (m4 = await sampler.mark()),
    });
    const outboundResult = await reconcileOutbound({ env, agent, sids: out.sids, startedAt: out.startedAt, result: out.outbound });
    return {
      database, settings: (await env.postgres?.settings()) ?? { engine: 'PGlite (in the service process)' },
      messages, inboundMessages: bench.inbound[database],
      accept: out.accept, outbound: outboundResult, inbound,
      resources: { accept: out.resources.accept, outbound: out.resources.outbound, inbound: phase(m3, m4), serviceHwmMb: m4.serviceHwmMb },
      counters: { simulator: await getJson(agent, `${env.controlUrl}/stats`), receiver: await getJson(agent, `${env.receiverUrl}/stats`) },
    };
  } finally {
    sampler.stop();
    agent.destroy();
    await env.close();
  }
}

async function outbound(options: { env: BenchEnvironment; bench: BenchOptions; agent: ReturnType<typeof keepAliveAgent>; count: number; tag: string; sampler?: ResourceSampler }) {
  const { env, agent, sampler } = options;
  const deliveredBefore = (await getJson<EchoStats>(agent, `${env.receiverUrl}/stats`)).statuses.delivered ?? 0;
  const m0 = await sampler?.mark();
  const startedAt = Date.now();
  const { sids, ...accept } = await runCreates({ env, agent, count: options.count, concurrency: options.bench.concurrency, tag: options.tag });
  const m1 = await sampler?.mark();
  let m2 = m1;
  const result = await awaitDelivered({
    env, agent, sids, startedAt, deliveredBefore, stallMs: options.bench.stallTimeoutMs, deadlineMs: options.bench.maxWaitMs,
    onSettled: async () => void (m2 = await sampler?.mark()),
  });
  const resources = m0 && m1 && m2
    ? { accept: phase(m0, m1), outbound: { ...phase(m0, m2), servicePeakRssMb: Math.max(m1.servicePeakRssMb, m2.servicePeakRssMb) } }
    : { accept: emptyPhase(), outbound: emptyPhase() };
  return { accept, outbound: result, resources, sids, startedAt };
}

async function provisionNumber(env: BenchEnvironment): Promise<void> {
  const body = twilioForm([['PhoneNumber', BENCH_NUMBER], ['SmsUrl', `${env.receiverUrl}/sms`]]);
  const url = `${env.serviceUrl}/2010-04-01/Accounts/${env.credentials.accountSid}/IncomingPhoneNumbers.json`;
  const agent = keepAliveAgent(1);
  const result = await send(agent, { method: 'POST', url, headers: twilioHeaders(env.credentials, body), body });
  agent.destroy();
  if (result.status !== 201) throw new Error(`provisioning ${BENCH_NUMBER} answered ${result.status}: ${result.body}`);
}

function rolePids(env: BenchEnvironment) {
  const shared = env.postgres ? pidsMatching('postgres: .*(checkpointer|background writer|walwriter)') : [];
  return {
    service: () => [env.service.pid],
    database: () => env.postgres?.backendPids() ?? [],
    databaseShared: () => shared,
    simulator: () => [env.simulator.pid],
    receiver: () => [env.receiver.pid],
    loadGenerator: () => [process.pid],
  };
}

function phase(from: ResourceMark, to: ResourceMark): PhaseResources {
  return { ...cpuBetween(from, to), servicePeakRssMb: to.servicePeakRssMb };
}

function emptyPhase(): PhaseResources {
  return { wallSeconds: 0, cpuSeconds: {}, servicePeakRssMb: 0 };
}
