// The accept-idle phase: API accept alone, with the pipeline idle. It runs in an environment of its own (service,
// simulator, receiver and database started for it and dropped after it), whose service is started with
// SMSC_MAX_RATE=0.001: the dispatcher's token bucket then lets through one message at start and none for the
// next 1,000 s, so it claims nothing while the creates run, sends nothing, and no status callback is due. Every
// create still takes the full path (validation, auth, sender check, encoding, the durable insert with its
// group commit and 201 only after COMMIT). What differs from a real idle instance: the accepted messages stay
// queued and are dropped with the database, which is why the phase cannot share the other phases' environment.
import type { BenchOptions, DatabaseChoice } from './bench-options.js';
import { startBenchEnvironment } from './bench-environment.js';
import { openDbStats } from './db-stats.js';
import { keepAliveAgent } from './http-load.js';
import { BENCH_NUMBER, runCreates, type AcceptResult } from './outbound-phase.js';
import { dbFigures, phase, phaseReport, provisionNumber, rolePids } from './phase-figures.js';
import { startResourceSampler } from './resource-sampler.js';
import type { PhaseReport, PhaseResources } from './run-database.js';

/** Low enough that the dispatcher claims nothing during the phase (one token at start, the next in 1,000 s). */
const IDLE_SMSC_MAX_RATE = '0.001';

export interface AcceptIdleResult {
  accept: Omit<AcceptResult, 'sids'>;
  resources: PhaseResources;
  report: PhaseReport;
}

export async function runAcceptIdle(options: { bench: BenchOptions; database: DatabaseChoice; root: string; logDir: string; count: number }): Promise<AcceptIdleResult> {
  const { bench, database } = options;
  const env = await startBenchEnvironment({
    database, adminUrl: bench.adminUrl, receiptDelayMs: bench.receiptDelayMs, maxInFlight: bench.maxInFlight, root: options.root,
    logDir: options.logDir, serviceEnv: { SMSC_MAX_RATE: IDLE_SMSC_MAX_RATE }, logPrefix: 'idle-',
  });
  const sampler = startResourceSampler({ servicePid: env.service.pid, pids: rolePids(env) });
  const agent = keepAliveAgent(bench.concurrency + 4);
  const stats = env.postgres ? await openDbStats(env.postgres.url) : null;
  try {
    await provisionNumber(env, BENCH_NUMBER, 'sip');
    await runCreates({ env, agent, count: Math.min(500, Math.ceil(options.count / 10)), concurrency: bench.concurrency, tag: 'warm-up idle' });
    const s0 = stats ? await stats.settledSnapshot({ quietMs: bench.statsQuietMs }) : null;
    const m0 = await sampler.mark();
    const { sids: _sids, ...accept } = await runCreates({ env, agent, count: options.count, concurrency: bench.concurrency, tag: 'bench idle' });
    const m1 = await sampler.mark();
    // Nothing else writes in this environment, so the closing snapshot settles (unlike the accept phase's).
    const s1 = stats ? await stats.settledSnapshot({ quietMs: bench.statsQuietMs }) : null;
    const resources = phase(m0, m1);
    const report = phaseReport({
      name: 'accept-idle', unit: 'accepted create', messages: accept.accepted, resources,
      throughput: { accepted: accept.perSecond }, latencyMs: accept.latencyMs, db: dbFigures(s0, s1, true),
    });
    return { accept, resources, report };
  } finally {
    sampler.stop();
    agent.destroy();
    await stats?.close().catch(() => undefined);
    await env.close();
  }
}
