// Printing: one block per database (figures, targets, CPU split) in plain aligned text.
import { formatComparison, formatPhases, type Baseline, baselineLabel } from './phase-report.js';
import type { DatabaseRun, PhaseResources } from './run-database.js';
import { checkTargets } from './targets.js';

const ROLES = ['service', 'database', 'databaseShared', 'simulator', 'receiver', 'loadGenerator'] as const;

export function formatRun(run: DatabaseRun, baseline: Baseline | null = null): string {
  const lines: string[] = [];
  lines.push(`== ${run.database} (${describeSettings(run.settings)}) ==`);
  lines.push(`creates ${run.messages} (SIP road) + ${run.smppMessages} (SMPP road), MO ${run.inboundMessages}`);
  if (run.acceptIdle) {
    const a = run.acceptIdle;
    lines.push(`a0. API accept, pipeline idle (own environment, SMSC_MAX_RATE=0.001): ${a.accepted}/${a.requests} 201 in ${fixed(a.seconds, 2)} s, errors ${a.errors}; ` +
      `latency p50 ${fixed(a.latencyMs.p50, 1)} / p95 ${fixed(a.latencyMs.p95, 1)} / p99 ${fixed(a.latencyMs.p99, 1)} / max ${fixed(a.latencyMs.max, 1)} ms`);
  }
  lines.push(
    `a. API accept, pipeline running: ${run.accept.accepted}/${run.accept.requests} 201 in ${fixed(run.accept.seconds, 2)} s, errors ${run.accept.errors}; ` +
      `latency p50 ${fixed(run.accept.latencyMs.p50, 1)} / p95 ${fixed(run.accept.latencyMs.p95, 1)} / p99 ${fixed(run.accept.latencyMs.p99, 1)} / max ${fixed(run.accept.latencyMs.max, 1)} ms`,
  );
  lines.push(`b. Outbound: ${run.outbound.delivered} delivered callbacks in ${fixed(run.outbound.seconds, 2)} s from first create (wait ${run.outbound.waitEnded}); ` +
    `late ${run.outbound.late} (last at ${fixed(run.outbound.eventualSeconds, 1)} s), lost ${run.outbound.lost}` +
    (Object.keys(run.outbound.otherStatuses).length ? `, other statuses ${JSON.stringify(run.outbound.otherStatuses)}` : ''));
  if (run.smppAccept && run.smppOutbound) {
    const a = run.smppAccept;
    const o = run.smppOutbound;
    lines.push(`b2. Outbound SMPP: ${a.accepted}/${a.requests} 201 in ${fixed(a.seconds, 2)} s (p99 ${fixed(a.latencyMs.p99, 1)} ms); ` +
      `${o.delivered} delivered callbacks in ${fixed(o.seconds, 2)} s (wait ${o.waitEnded}); late ${o.late}, lost ${o.lost}` +
      (Object.keys(o.otherStatuses).length ? `, other statuses ${JSON.stringify(o.otherStatuses)}` : ''));
  }
  const inb = run.inbound;
  lines.push(`c. Inbound: MO ${inb.moAccepted}/${inb.sent} answered 200 (${fixed(inb.moPerSecond, 0)}/s); webhooks ${inb.webhooks} (lost ${inb.webhooksLost}, unfinished ${inb.webhooksUnfinished}); ` +
    `replies at SMSC ${inb.replies} (lost ${inb.repliesLost}, unfinished ${inb.repliesUnfinished}); ${fixed(inb.seconds, 2)} s (wait ${inb.waitEnded})`);
  lines.push('');
  lines.push(table(['figure', 'measured', 'target', 'ratio', 'met'], checkTargets(run).map((c) => [
    c.figure, `${fixed(c.measured, c.unit === '/s' ? 0 : 1)} ${c.unit}`, `${c.better === 'higher' ? '>=' : '<'} ${c.target} ${c.unit}`,
    fixed(c.ratio, 2), c.met ? 'yes' : 'no',
  ])));
  lines.push('');
  lines.push('CPU seconds (and % of one core) per phase; databaseShared = PostgreSQL checkpointer/bgwriter/walwriter (shared by the whole server)');
  const phases: Array<[string, PhaseResources]> = [
    ...(run.resources.acceptIdle ? [['accept idle', run.resources.acceptIdle] as [string, PhaseResources]] : []), ['accept', run.resources.accept], ['outbound e2e', run.resources.outbound],
    ...(run.resources.smppOutbound ? [['outbound smpp e2e', run.resources.smppOutbound] as [string, PhaseResources]] : []), ['inbound e2e', run.resources.inbound]];
  lines.push(table(['phase', 'wall s', ...ROLES, 'peak RSS MB'], phases.map(([name, p]) => [
    name, fixed(p.wallSeconds, 2),
    ...ROLES.map((role) => `${fixed(p.cpuSeconds[role] ?? 0, 2)} (${fixed(p.wallSeconds > 0 ? (100 * (p.cpuSeconds[role] ?? 0)) / p.wallSeconds : 0, 0)}%)`),
    fixed(p.servicePeakRssMb, 0),
  ])));
  lines.push(`service VmHWM ${fixed(run.resources.serviceHwmMb, 0)} MB`);
  lines.push('');
  lines.push(formatPhases(run.phases));
  const previous = baseline?.runs.find((r) => r.database === run.database)?.phases;
  lines.push('');
  if (baseline && previous && previous.length > 0) lines.push(formatComparison(run.phases, previous, baselineLabel(baseline)));
  else lines.push(baseline ? `no ${run.database} phases in the baseline ${baselineLabel(baseline)}` : 'no baseline (no earlier results file with per-phase figures, or --no-baseline)');
  return lines.join('\n');
}

function describeSettings(settings: Record<string, string>): string {
  if (settings.server_version === undefined) return Object.values(settings).join(', ');
  return `PostgreSQL ${settings.server_version}, fsync=${settings.fsync}, synchronous_commit=${settings.synchronous_commit}`;
}

export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

function fixed(value: number, digits: number): string {
  return Number.isFinite(value) ? value.toFixed(digits) : String(value);
}
