// One database's full run: first (unless --idle-accept 0) the accept-idle phase in an environment of its own
// (accept-idle-phase.ts: API accept with the pipeline idle); then environment up, numbers provisioned (a SIP one and an SMPP-routed one), warm-up, then
// the phases, each with resource marks and (PostgreSQL) statistics snapshots around it:
//   accept-idle    (before the rest, own environment) creates while the dispatcher sends nothing;
//   accept         the creates of the SIP phase while the pipeline runs (sending starts as they are accepted);
//   outbound-sip   the same creates, first create to the last delivered status callback (SIP MESSAGE road);
//   outbound-smpp  the same over the SMPP road (a number with SmscRoute=smpp, the simulator's SMPP side);
//   inbound        MO over SIP, each turned into a webhook whose TwiML reply goes back out.
// Environment down at the end (always).
import type { BenchOptions, DatabaseChoice } from './bench-options.js';
import { startBenchEnvironment, type BenchEnvironment } from './bench-environment.js';
import { openDbStats, type DbDelta, type DbSnapshot, type DbStatsReader } from './db-stats.js';
import { runAcceptIdle, type AcceptIdleResult } from './accept-idle-phase.js';
import { keepAliveAgent, getJson } from './http-load.js';
import { runInbound, type InboundResult } from './inbound-phase.js';
import { awaitDelivered, BENCH_NUMBER, BENCH_SMPP_NUMBER, reconcileOutbound, runCreates, type AcceptResult, type EchoStats, type OutboundResult } from './outbound-phase.js';
import { dbFigures, phase, phaseReport, provisionNumber, rolePids } from './phase-figures.js';
import { startResourceSampler, type ResourceMark, type ResourceSampler, type Role } from './resource-sampler.js';

export interface PhaseResources { wallSeconds: number; cpuSeconds: Record<string, number>; servicePeakRssMb: number }

export type PhaseName = 'accept-idle' | 'accept' | 'outbound-sip' | 'outbound-smpp' | 'inbound';

/** Per-phase figures, each per message of the phase (`messages`: accepted creates, delivered messages, webhooks). */
export interface PhaseReport {
  name: PhaseName;
  /** What `messages` counts. */
  unit: string;
  messages: number;
  wallSeconds: number;
  /** accepted/s, endToEnd/s, webhooks/s, replies/s, as they apply. */
  throughput: Record<string, number>;
  latencyMs: { p50: number; p99: number } | null;
  cpuMsPerMessage: Record<Role, number>;
  servicePeakRssMb: number;
  /** PostgreSQL only; null on PGlite. */
  db: null | {
    rowsPerMessage: number; insertedPerMessage: number; updatedPerMessage: number; deletedPerMessage: number; hotPerMessage: number;
    commitsPerMessage: number;
    perTable: Record<string, { rows: number; inserted: number; updated: number; deleted: number; hot: number }>;
    totals: DbDelta;
    /** False for the accept phase: its closing snapshot is read while the pipeline still works (not settled). */
    settled: boolean;
  };
}

export interface DatabaseRun {
  database: DatabaseChoice;
  settings: Record<string, string>;
  messages: number;
  smppMessages: number;
  inboundMessages: number;
  /** API accept with the pipeline idle (its own environment); null with --idle-accept 0. */
  acceptIdle: Omit<AcceptResult, 'sids'> | null;
  accept: Omit<AcceptResult, 'sids'>;
  outbound: OutboundResult;
  smppAccept: Omit<AcceptResult, 'sids'> | null;
  smppOutbound: OutboundResult | null;
  inbound: InboundResult;
  resources: { acceptIdle: PhaseResources | null; accept: PhaseResources; outbound: PhaseResources; smppOutbound: PhaseResources | null; inbound: PhaseResources; serviceHwmMb: number };
  phases: PhaseReport[];
  /** The simulator's and the receiver's own counters at the end (warm-up included), for diagnosis. */
  counters: { simulator: unknown; receiver: unknown };
}

type Agent = ReturnType<typeof keepAliveAgent>;

export async function runDatabase(options: { bench: BenchOptions; database: DatabaseChoice; root: string; logDir: string }): Promise<DatabaseRun> {
  const { bench, database } = options;
  const smppMessages = bench.smppMessages[database];
  const idleCount = bench.idleAccept[database];
  const idle: AcceptIdleResult | null = idleCount > 0
    ? await runAcceptIdle({ bench, database, root: options.root, logDir: options.logDir, count: idleCount })
    : null;
  const env = await startBenchEnvironment({
    database, adminUrl: bench.adminUrl, receiptDelayMs: bench.receiptDelayMs, maxInFlight: bench.maxInFlight, root: options.root, logDir: options.logDir,
    smpp: smppMessages > 0,
  });
  const sampler = startResourceSampler({ servicePid: env.service.pid, pids: rolePids(env) });
  const agent = keepAliveAgent(Math.max(bench.concurrency, bench.inboundConcurrency) + 4);
  const stats: DbStatsReader | null = env.postgres ? await openDbStats(env.postgres.url) : null;
  const settled = async (): Promise<DbSnapshot | null> => (stats ? stats.settledSnapshot({ quietMs: bench.statsQuietMs }) : null);
  try {
    await provisionNumber(env, BENCH_NUMBER, 'sip');
    if (smppMessages > 0) await provisionNumber(env, BENCH_SMPP_NUMBER, 'smpp');
    await outbound({ env, bench, agent, count: Math.min(200, Math.ceil(bench.messages[database] / 10)), tag: 'warm-up', from: BENCH_NUMBER });
    if (smppMessages > 0) await outbound({ env, bench, agent, count: Math.min(200, Math.ceil(smppMessages / 10)), tag: 'warm-up smpp', from: BENCH_SMPP_NUMBER });
    const messages = bench.messages[database];
    const phases: PhaseReport[] = idle ? [idle.report] : [];

    const s0 = await settled();
    const sip = await outbound({ env, bench, agent, count: messages, tag: 'bench', from: BENCH_NUMBER, sampler, stats });
    const s2 = await settled();
    phases.push(phaseReport({ name: 'accept', unit: 'accepted create', messages: sip.accept.accepted, resources: sip.resources.accept,
      throughput: { accepted: sip.accept.perSecond }, latencyMs: sip.accept.latencyMs, db: dbFigures(s0, sip.acceptEnd, false) }));
    phases.push(phaseReport({ name: 'outbound-sip', unit: 'delivered message', messages: sip.outbound.delivered, resources: sip.resources.outbound,
      throughput: { accepted: sip.accept.perSecond, endToEnd: sip.outbound.perSecond }, latencyMs: sip.accept.latencyMs, db: dbFigures(s0, s2, true) }));

    let smpp: Awaited<ReturnType<typeof outbound>> | null = null;
    let s3 = s2;
    if (smppMessages > 0) {
      smpp = await outbound({ env, bench, agent, count: smppMessages, tag: 'bench smpp', from: BENCH_SMPP_NUMBER, sampler });
      s3 = await settled();
      phases.push(phaseReport({ name: 'outbound-smpp', unit: 'delivered message', messages: smpp.outbound.delivered, resources: smpp.resources.outbound,
        throughput: { accepted: smpp.accept.perSecond, endToEnd: smpp.outbound.perSecond }, latencyMs: smpp.accept.latencyMs, db: dbFigures(s2, s3, true) }));
    }

    const m3 = await sampler.mark();
    let m4: ResourceMark = m3;
    const inbound = await runInbound({
      env, agent, count: bench.inbound[database], concurrency: bench.inboundConcurrency, stallMs: bench.stallTimeoutMs, deadlineMs: bench.maxWaitMs,
      onSettled: async () => void (m4 = await sampler.mark()),
    });
    const s4 = await settled();
    const inboundResources = phase(m3, m4);
    phases.push(phaseReport({ name: 'inbound', unit: 'MO webhook', messages: inbound.webhooks, resources: inboundResources,
      throughput: { moAccepted: inbound.moPerSecond, webhooks: inbound.webhooksPerSecond, replies: inbound.repliesPerSecond }, latencyMs: null, db: dbFigures(s3, s4, true) }));

    const outboundResult = await reconcileOutbound({ env, agent, sids: sip.sids, startedAt: sip.startedAt, result: sip.outbound });
    const smppResult = smpp ? await reconcileOutbound({ env, agent, sids: smpp.sids, startedAt: smpp.startedAt, result: smpp.outbound }) : null;
    return {
      database, settings: (await env.postgres?.settings()) ?? { engine: 'PGlite (in the service process)' },
      messages, smppMessages, inboundMessages: bench.inbound[database],
      acceptIdle: idle?.accept ?? null, accept: sip.accept, outbound: outboundResult, smppAccept: smpp?.accept ?? null, smppOutbound: smppResult, inbound,
      resources: { acceptIdle: idle?.resources ?? null, accept: sip.resources.accept, outbound: sip.resources.outbound, smppOutbound: smpp?.resources.outbound ?? null, inbound: inboundResources, serviceHwmMb: m4.serviceHwmMb },
      phases,
      counters: { simulator: await getJson(agent, `${env.controlUrl}/stats`), receiver: await getJson(agent, `${env.receiverUrl}/stats`) },
    };
  } finally {
    sampler.stop();
    agent.destroy();
    await stats?.close().catch(() => undefined);
    await env.close();
  }
}

async function outbound(options: {
  env: BenchEnvironment; bench: BenchOptions; agent: Agent; count: number; tag: string; from: string; sampler?: ResourceSampler; stats?: DbStatsReader | null;
}) {
  const { env, agent, sampler } = options;
  const deliveredBefore = (await getJson<EchoStats>(agent, `${env.receiverUrl}/stats`)).statuses.delivered ?? 0;
  const m0 = await sampler?.mark();
  const startedAt = Date.now();
  const { sids, ...accept } = await runCreates({ env, agent, count: options.count, concurrency: options.bench.concurrency, tag: options.tag, from: options.from });
  const m1 = await sampler?.mark();
  const acceptEnd = options.stats ? await options.stats.snapshot() : null;
  let m2 = m1;
  const result = await awaitDelivered({
    env, agent, sids, startedAt, deliveredBefore, stallMs: options.bench.stallTimeoutMs, deadlineMs: options.bench.maxWaitMs,
    onSettled: async () => void (m2 = await sampler?.mark()),
  });
  const resources = m0 && m1 && m2
    ? { accept: phase(m0, m1), outbound: { ...phase(m0, m2), servicePeakRssMb: Math.max(m1.servicePeakRssMb, m2.servicePeakRssMb) } }
    : { accept: emptyPhase(), outbound: emptyPhase() };
  return { accept, outbound: result, resources, sids, startedAt, acceptEnd };
}

function emptyPhase(): PhaseResources {
  return { wallSeconds: 0, cpuSeconds: {}, servicePeakRssMb: 0 };
}
