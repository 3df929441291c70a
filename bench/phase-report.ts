// The per-phase report: one table of figures (rows) by phase (columns), the rows written per table, and, when a
// baseline results file is given or found, the same figures as current / previous ratios.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { PhaseName, PhaseReport } from './run-database.js';
import { table } from './report.js';

const PHASES: PhaseName[] = ['accept-idle', 'accept', 'outbound-sip', 'outbound-smpp', 'inbound'];

interface Figure { key: string; label: string; digits: number; read: (p: PhaseReport) => number | undefined }

const FIGURES: Figure[] = [
  { key: 'messages', label: 'messages', digits: 0, read: (p) => p.messages },
  { key: 'wallSeconds', label: 'wall s', digits: 2, read: (p) => p.wallSeconds },
  { key: 'accepted/s', label: 'accepted/s', digits: 0, read: (p) => p.throughput.accepted ?? p.throughput.moAccepted },
  { key: 'endToEnd/s', label: 'end to end/s', digits: 0, read: (p) => p.throughput.endToEnd },
  { key: 'webhooks/s', label: 'webhooks/s', digits: 0, read: (p) => p.throughput.webhooks },
  { key: 'replies/s', label: 'replies out/s', digits: 0, read: (p) => p.throughput.replies },
  { key: 'acceptP50Ms', label: 'accept p50 ms', digits: 1, read: (p) => p.latencyMs?.p50 },
  { key: 'acceptP99Ms', label: 'accept p99 ms', digits: 1, read: (p) => p.latencyMs?.p99 },
  { key: 'cpu.service', label: 'CPU ms/msg service', digits: 3, read: (p) => p.cpuMsPerMessage.service },
  { key: 'cpu.database', label: 'CPU ms/msg database', digits: 3, read: (p) => p.cpuMsPerMessage.database },
  { key: 'cpu.serviceAndDatabase', label: 'CPU ms/msg service+db', digits: 3, read: (p) => (p.cpuMsPerMessage.service ?? 0) + (p.cpuMsPerMessage.database ?? 0) },
  { key: 'cpu.databaseShared', label: 'CPU ms/msg pg shared', digits: 3, read: (p) => p.cpuMsPerMessage.databaseShared },
  { key: 'cpu.simulator', label: 'CPU ms/msg simulator', digits: 3, read: (p) => p.cpuMsPerMessage.simulator },
  { key: 'cpu.receiver', label: 'CPU ms/msg echo receiver', digits: 3, read: (p) => p.cpuMsPerMessage.receiver },
  { key: 'cpu.loadGenerator', label: 'CPU ms/msg load generator', digits: 3, read: (p) => p.cpuMsPerMessage.loadGenerator },
  { key: 'rss', label: 'service peak RSS MB', digits: 0, read: (p) => p.servicePeakRssMb },
  { key: 'db.rows', label: 'rows written/msg', digits: 2, read: (p) => p.db?.rowsPerMessage },
  { key: 'db.inserted', label: '  inserted/msg', digits: 2, read: (p) => p.db?.insertedPerMessage },
  { key: 'db.updated', label: '  updated/msg', digits: 2, read: (p) => p.db?.updatedPerMessage },
  { key: 'db.deleted', label: '  deleted/msg', digits: 2, read: (p) => p.db?.deletedPerMessage },
  { key: 'db.hot', label: '  HOT updates/msg', digits: 2, read: (p) => p.db?.hotPerMessage },
  { key: 'db.commits', label: 'commits/msg', digits: 2, read: (p) => p.db?.commitsPerMessage },
];

export function formatPhases(phases: PhaseReport[]): string {
  const present = PHASES.map((name) => phases.find((p) => p.name === name)).filter((p): p is PhaseReport => p !== undefined);
  const lines: string[] = [];
  lines.push('Per phase (per message: accept = per accepted create, outbound = per delivered message, inbound = per MO webhook;');
  lines.push('accept\'s PostgreSQL figures are read at the end of the creates, while sending goes on: not settled;');
  lines.push('accept-idle runs in its own environment with the dispatcher throttled to nothing: settled)');
  lines.push(table(['figure', ...present.map((p) => p.name)], FIGURES
    .filter((f) => present.some((p) => f.read(p) !== undefined))
    .map((f) => [f.label, ...present.map((p) => cell(f.read(p), f.digits))])));
  const tables = [...new Set(present.flatMap((p) => Object.keys(p.db?.perTable ?? {})))].sort();
  if (tables.length > 0) {
    lines.push('');
    lines.push('Rows written per message by table: rows (inserted/updated/deleted, HOT)');
    lines.push(table(['table', ...present.map((p) => p.name)], tables.map((name) => [name, ...present.map((p) => {
      const t = p.db?.perTable[name];
      return t ? `${t.rows.toFixed(2)} (${t.inserted.toFixed(2)}/${t.updated.toFixed(2)}/${t.deleted.toFixed(2)}, ${t.hot.toFixed(2)})` : '-';
    })])));
  }
  return lines.join('\n');
}

/** current / previous for every figure both runs have; `previous` is the same database's phases of the baseline. */
export function formatComparison(phases: PhaseReport[], previous: PhaseReport[], baselineName: string): string {
  const present = PHASES.map((name) => [phases.find((p) => p.name === name), previous.find((p) => p.name === name)] as const)
    .filter((pair): pair is readonly [PhaseReport, PhaseReport | undefined] => pair[0] !== undefined);
  const rows = FIGURES.filter((f) => f.key !== 'wallSeconds').map((f) => [f.label, ...present.map(([now, before]) => {
    const a = f.read(now);
    const b = before ? f.read(before) : undefined;
    if (a === undefined || b === undefined) return '-';
    if (b === 0) return a === 0 ? '1.00' : 'n/a';
    return (a / b).toFixed(2);
  })]).filter((row) => row.slice(1).some((c) => c !== '-'));
  return [`Ratio current / previous (baseline ${baselineName}; < 1 is better for CPU, rows, commits, latency, RSS)`,
    table(['figure', ...present.map(([p]) => p.name)], rows)].join('\n');
}

export interface Baseline { file: string; runs: Array<{ database: string; phases?: PhaseReport[] }> }

/** `choice` 'latest': the newest results file with per-phase figures, other than `exclude`; a path: that file. */
export function loadBaseline(choice: string | 'latest' | null, dir: string, exclude?: string): Baseline | null {
  if (choice === null) return null;
  if (choice !== 'latest') {
    if (!existsSync(choice)) throw new Error(`--baseline ${choice}: no such file`);
    return { file: choice, runs: (JSON.parse(readFileSync(choice, 'utf8')) as { runs: Baseline['runs'] }).runs };
  }
  if (!existsSync(dir)) return null;
  const candidates = readdirSync(dir).filter((f) => f.endsWith('.json') && join(dir, f) !== exclude)
    .map((f) => ({ f, created: createdAt(join(dir, f)) }))
    .filter((c): c is { f: string; created: string } => c.created !== null)
    .sort((a, b) => a.created.localeCompare(b.created));
  for (const { f } of candidates.reverse()) {
    const body = JSON.parse(readFileSync(join(dir, f), 'utf8')) as { runs?: Baseline['runs'] };
    if (body.runs?.some((run) => Array.isArray(run.phases) && run.phases.length > 0)) return { file: join(dir, f), runs: body.runs };
  }
  return null;
}

function createdAt(file: string): string | null {
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { createdAt?: string }).createdAt ?? null;
  } catch {
    return null;
  }
}

export function baselineLabel(baseline: Baseline): string {
  return basename(baseline.file);
}

function cell(value: number | undefined, digits: number): string {
  return value === undefined || !Number.isFinite(value) ? '-' : value.toFixed(digits);
}
