// `npm run bench -- [flags]`: parsed once into a plain object; unknown flags are an error, not a silent default.
import { parseArgs } from 'node:util';

export type DatabaseChoice = 'postgres' | 'pglite';

export interface BenchOptions {
  databases: DatabaseChoice[];
  /** Outbound creates per database; PGlite gets its own (smaller) default. */
  messages: { postgres: number; pglite: number };
  concurrency: number;
  inbound: { postgres: number; pglite: number };
  /** Creates of the SMPP outbound phase (0 = no SMPP phase); the same as `messages` unless --smpp-messages. */
  smppMessages: { postgres: number; pglite: number };
  /** Creates of the accept-idle phase (0 = no such phase); the same as `messages` unless --idle-accept. */
  idleAccept: { postgres: number; pglite: number };
  /** The results file to compare with (default: the newest earlier file in bench/results/); null with --no-baseline. */
  baseline: string | 'latest' | null;
  /** How long the table counters must stay still before a phase's closing snapshot is read. */
  statsQuietMs: number;
  /** Concurrency of the MO sender (the simulator's control API). */
  inboundConcurrency: number;
  receiptDelayMs: number;
  maxInFlight: number;
  /** Give up waiting for stragglers after this long without progress. */
  stallTimeoutMs: number;
  /** Stop waiting for the end-to-end results of a phase after this long even if work is still moving. */
  maxWaitMs: number;
  build: boolean;
  adminUrl: string;
  quick: boolean;
}

const USAGE = `usage: npm run bench -- [--db postgres|pglite|both] [--messages N] [--inbound N] [--concurrency 50]
       [--inbound-concurrency 50] [--receipt-delay-ms 100] [--max-in-flight 256] [--stall-timeout-ms 120000]
       [--max-wait-s 600] [--smpp-messages N] [--idle-accept N] [--baseline FILE | --no-baseline] [--stats-quiet-ms 11000]
       [--quick] [--no-build]
PostgreSQL admin URL: BENCH_DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/postgres).`;

export function parseBenchOptions(argv: string[], env: NodeJS.ProcessEnv): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      db: { type: 'string', default: 'both' },
      messages: { type: 'string' },
      inbound: { type: 'string' },
      concurrency: { type: 'string', default: '50' },
      'inbound-concurrency': { type: 'string', default: '50' },
      'receipt-delay-ms': { type: 'string', default: '100' },
      'max-in-flight': { type: 'string', default: '256' },
      'stall-timeout-ms': { type: 'string', default: '120000' },
      'max-wait-s': { type: 'string', default: '600' },
      'smpp-messages': { type: 'string' },
      'idle-accept': { type: 'string' },
      baseline: { type: 'string' },
      'no-baseline': { type: 'boolean', default: false },
      'stats-quiet-ms': { type: 'string', default: '11000' },
      quick: { type: 'boolean', default: false },
      'no-build': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) throw new UsageError('');
  const quick = values.quick;
  const pick = (flag: string | undefined, postgres: number, pglite: number) => {
    if (flag === undefined) return { postgres, pglite };
    const n = count(flag, '--messages/--inbound');
    return { postgres: n, pglite: n };
  };
  const messages = pick(values.messages, quick ? 500 : 20_000, quick ? 200 : 5000);
  if (values.baseline !== undefined && values['no-baseline']) throw new UsageError('--baseline and --no-baseline exclude each other');
  return {
    databases: parseDatabases(values.db),
    messages,
    smppMessages: values['smpp-messages'] === undefined ? messages : pick(values['smpp-messages'], 0, 0),
    idleAccept: values['idle-accept'] === undefined ? messages : pick(values['idle-accept'], 0, 0),
    baseline: values['no-baseline'] ? null : (values.baseline ?? 'latest'),
    statsQuietMs: count(values['stats-quiet-ms'], '--stats-quiet-ms'),
    inbound: pick(values.inbound, quick ? 200 : 10_000, quick ? 100 : 2000),
    concurrency: positive(values.concurrency, '--concurrency'),
    inboundConcurrency: positive(values['inbound-concurrency'], '--inbound-concurrency'),
    receiptDelayMs: count(values['receipt-delay-ms'], '--receipt-delay-ms'),
    maxInFlight: positive(values['max-in-flight'], '--max-in-flight'),
    stallTimeoutMs: positive(values['stall-timeout-ms'], '--stall-timeout-ms'),
    maxWaitMs: positive(values['max-wait-s'], '--max-wait-s') * 1000,
    build: !values['no-build'],
    adminUrl: env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres',
    quick,
  };
}

export class UsageError extends Error {
  constructor(problem: string) {
    super(problem === '' ? USAGE : `${problem}\n${USAGE}`);
  }
}

function parseDatabases(value: string): DatabaseChoice[] {
  if (value === 'both') return ['postgres', 'pglite'];
  if (value === 'postgres' || value === 'pglite') return [value];
  throw new UsageError(`--db must be postgres, pglite or both (got "${value}")`);
}

function count(value: string, flag: string): number {
  if (!/^\d+$/.test(value)) throw new UsageError(`${flag} must be a non-negative integer (got "${value}")`);
  return Number(value);
}

function positive(value: string, flag: string): number {
  const n = count(value, flag);
  if (n === 0) throw new UsageError(`${flag} must be at least 1`);
  return n;
}
