// The targets, and each measured figure as a ratio to its target. ratio = measured / target for every
// figure; for "higher is better" figures met means ratio >= 1, for "lower is better" ones ratio <= 1.
import type { DatabaseRun } from './run-database.js';

export interface TargetCheck {
  figure: string;
  measured: number;
  unit: string;
  target: number;
  better: 'higher' | 'lower';
  ratio: number;
  met: boolean;
}

export const TARGETS = {
  /** API accept with the pipeline idle (the accept-idle phase): rate and p99. */
  acceptPerSecond: 5000,
  acceptP99Ms: 50,
  /** API accept while the pipeline runs (the accept phase: the SIP road's creates). */
  acceptRunningPerSecond: 2000,
  outboundPerSecond: 2000,
  inboundPerSecond: 2000,
  rssMb: 300,
  /** Service + database CPU per delivered outbound message, ms (SIP and SMPP). */
  outboundCpuMs: 1.0,
  outboundRows: 6,
  inboundRows: 4,
  /** Each peer (simulator, echo receiver), ms of CPU per message. */
  peerCpuMs: 0.15,
} as const;

export function checkTargets(run: DatabaseRun): TargetCheck[] {
  const check = (figure: string, measured: number, unit: string, target: number, better: 'higher' | 'lower'): TargetCheck => {
    const ratio = measured / target;
    return { figure, measured, unit, target, better, ratio, met: better === 'higher' ? ratio >= 1 : ratio <= 1 };
  };
  const peakRss = Math.max(run.resources.serviceHwmMb, run.resources.outbound.servicePeakRssMb, run.resources.inbound.servicePeakRssMb);
  return [
    ...(run.acceptIdle ? [
      check('API accept rate, pipeline idle', run.acceptIdle.perSecond, '/s', TARGETS.acceptPerSecond, 'higher'),
      check('API accept p99, pipeline idle', run.acceptIdle.latencyMs.p99, 'ms', TARGETS.acceptP99Ms, 'lower'),
    ] : []),
    check('API accept rate, pipeline running', run.accept.perSecond, '/s', TARGETS.acceptRunningPerSecond, 'higher'),
    check('Outbound end to end', outboundRate(run), '/s', TARGETS.outboundPerSecond, 'higher'),
    check('Inbound end to end (webhooks)', run.inbound.webhooksPerSecond, '/s', TARGETS.inboundPerSecond, 'higher'),
    check('Inbound replies out', run.inbound.repliesPerSecond, '/s', TARGETS.inboundPerSecond, 'higher'),
    check('Service peak RSS', peakRss, 'MB', TARGETS.rssMb, 'lower'),
    ...phaseChecks(run, check),
  ];
}

function phaseChecks(run: DatabaseRun, check: (figure: string, measured: number, unit: string, target: number, better: 'higher' | 'lower') => TargetCheck): TargetCheck[] {
  const checks: TargetCheck[] = [];
  for (const phase of run.phases ?? []) {
    if (phase.name === 'accept' || phase.name === 'accept-idle' || phase.messages === 0) continue;
    const road = phase.name === 'inbound' ? 'inbound' : phase.name.replace('outbound-', '').toUpperCase();
    if (phase.name !== 'inbound') {
      const cpu = (phase.cpuMsPerMessage.service ?? 0) + (phase.cpuMsPerMessage.database ?? 0);
      checks.push(check(`Service + database CPU per message, ${road}`, cpu, 'ms', TARGETS.outboundCpuMs, 'lower'));
    }
    if (phase.db) checks.push(check(`Rows written per message, ${road}`, phase.db.rowsPerMessage, 'rows', phase.name === 'inbound' ? TARGETS.inboundRows : TARGETS.outboundRows, 'lower'));
    checks.push(check(`Simulator CPU per message, ${road}`, phase.cpuMsPerMessage.simulator ?? 0, 'ms', TARGETS.peerCpuMs, 'lower'));
    checks.push(check(`Echo receiver CPU per message, ${road}`, phase.cpuMsPerMessage.receiver ?? 0, 'ms', TARGETS.peerCpuMs, 'lower'));
  }
  return checks;
}

/**
 * Every delivered callback over the time to the last one. When the phase's wait ended early, the late callbacks
 * (which overlapped the inbound phase) are included, so the figure is the sustained rate, not a partial one.
 */
export function outboundRate(run: DatabaseRun): number {
  const { delivered, late, eventualSeconds } = run.outbound;
  return eventualSeconds > 0 ? (delivered + late) / eventualSeconds : 0;
}

/** What functionally broke (lost or refused work); empty when the run is clean. Speed never counts. */
export function functionalProblems(run: DatabaseRun): string[] {
  const problems: string[] = [];
  if (run.acceptIdle && run.acceptIdle.errors > 0) problems.push(`${run.acceptIdle.errors} idle-pipeline creates not answered 201 (${JSON.stringify(run.acceptIdle.errorStatuses)})`);
  if (run.accept.errors > 0) problems.push(`${run.accept.errors} creates not answered 201 (${JSON.stringify(run.accept.errorStatuses)})`);
  if (run.outbound.lost > 0) problems.push(`${run.outbound.lost} accepted messages never got a delivered status callback`);
  if (run.smppAccept && run.smppAccept.errors > 0) problems.push(`${run.smppAccept.errors} SMPP-road creates not answered 201 (${JSON.stringify(run.smppAccept.errorStatuses)})`);
  if (run.smppOutbound && run.smppOutbound.lost > 0) problems.push(`${run.smppOutbound.lost} accepted SMPP-road messages never got a delivered status callback`);
  if (run.inbound.moErrors > 0) problems.push(`${run.inbound.moErrors} MO not answered 200 (${JSON.stringify(run.inbound.moStatuses)})`);
  if (run.inbound.webhooksLost > 0) problems.push(`${run.inbound.webhooksLost} accepted MO never reached the webhook`);
  if (run.inbound.repliesLost > 0) problems.push(`${run.inbound.repliesLost} webhook replies never reached the SMSC`);
  return problems.map((p) => `${run.database}: ${p}`);
}
