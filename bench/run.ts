// `npm run bench`: builds dist/, then for each database starts the service, the SMSC simulator and the webhook
// receiver as child processes and measures API accept, outbound and inbound end to end, RSS and CPU per process.
// Prints a table per database and writes bench/results/<timestamp>.json. Exit 0 however slow; 1 only when work
// was lost or refused (or the bench itself failed), 2 on bad flags.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseBenchOptions, UsageError, type BenchOptions } from './bench-options.js';
import { closeAllEnvironments } from './bench-environment.js';
import { stopAllChildren } from './child-processes.js';
import { imageRuntimeEnv } from './image-runtime.js';
import { machineInfo } from './machine-info.js';
import { loadBaseline } from './phase-report.js';
import { formatRun } from './report.js';
import { runDatabase, type DatabaseRun } from './run-database.js';
import { checkTargets, functionalProblems, TARGETS } from './targets.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

async function main(): Promise<number> {
  let options: BenchOptions;
  try {
    options = parseBenchOptions(process.argv.slice(2), process.env);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message}\n`);
      return 2;
    }
    throw error;
  }
  if (options.build) build();
  const logDir = mkdtempSync(join(tmpdir(), 'smsc-bench-logs-'));
  const machine = machineInfo(ROOT);
  process.stdout.write(`machine: ${machine.cpus} CPU (${machine.cpuModel}), ${machine.memoryGb} GB, load ${machine.loadAverage}, node ${machine.node}, ${machine.commit}\n`);
  const serviceRuntime = imageRuntimeEnv(ROOT);
  process.stdout.write(`service memory settings (Dockerfile ENV): ${formatEnv(serviceRuntime)}\n`);
  process.stdout.write(`child logs: ${logDir}\n`);
  const baseline = loadBaseline(options.baseline, join(ROOT, 'bench', 'results'));
  process.stdout.write(`baseline: ${baseline ? baseline.file : 'none'}\n\n`);
  const runs: DatabaseRun[] = [];
  for (const database of options.databases) {
    process.stdout.write(`running on ${database} ...\n`);
    const run = await runDatabase({ bench: options, database, root: ROOT, logDir });
    runs.push(run);
    process.stdout.write(`${formatRun(run, baseline)}\n\n`);
  }
  const problems = runs.flatMap(functionalProblems);
  const file = writeResults({ options, machine, serviceRuntime, runs, problems, baseline: baseline?.file ?? null });
  process.stdout.write(`results: ${file}\n`);
  if (problems.length === 0) return 0;
  process.stdout.write(`FUNCTIONAL PROBLEMS:\n${problems.map((p) => `  - ${p}`).join('\n')}\n`);
  return 1;
}

function build(): void {
  process.stdout.write('npm run build ...\n');
  const result = spawnSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) throw new Error('npm run build failed (use --no-build to run the existing dist/)');
}

function formatEnv(env: Record<string, string>): string {
  const entries = Object.entries(env);
  return entries.length === 0 ? 'none' : entries.map(([key, value]) => `${key}=${value}`).join(' ');
}

function writeResults(input: {
  options: BenchOptions; machine: { commit: string }; serviceRuntime: Record<string, string>; runs: DatabaseRun[]; problems: string[]; baseline: string | null;
}): string {
  const dir = join(ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  // <iso-date>-<short commit>.json, e.g. 2026-12-03T14-30-00-000Z-e43671e.json (+ "-dirty" with uncommitted changes)
  const commit = input.machine.commit.replace(' (with uncommitted changes)', '-dirty').replace(/[^\w-]/g, '');
  const file = join(dir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${commit}.json`);
  const { adminUrl: _adminUrl, ...options } = input.options;
  const body = {
    createdAt: new Date().toISOString(),
    command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
    machine: input.machine,
    serviceRuntime: input.serviceRuntime,
    options,
    targets: TARGETS,
    baseline: input.baseline === null ? null : relative(ROOT, input.baseline),
    runs: input.runs.map((run) => ({ ...run, targets: checkTargets(run) })),
    functionalProblems: input.problems,
  };
  writeFileSync(file, `${JSON.stringify(body, null, 2)}\n`);
  return file;
}

async function cleanUp(): Promise<void> {
  await closeAllEnvironments().catch(() => undefined);
  await stopAllChildren();
}

let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    process.stderr.write(`\n${signal}: stopping the children and dropping the database ...\n`);
    void cleanUp().finally(() => process.exit(130));
  });
}

main().then(
  async (code) => {
    await cleanUp();
    process.exit(code);
  },
  async (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
    await cleanUp();
    process.exit(1);
  },
);
