// Starts one database's worth of processes: the SMSC simulator (with its control API), the webhook receiver
// (the simulator's echo receiver, alone in its own process) and `smsc-connect serve`, wired to each other on
// free 127.0.0.1 ports. close() stops them all and drops the database / removes the PGlite directory.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatabaseChoice } from './bench-options.js';
import { startChild, type Child } from './child-processes.js';
import { freeSipPort, freeTcpPort } from './free-port.js';
import { imageRuntimeEnv } from './image-runtime.js';
import { createBenchDatabase, type BenchDatabase } from './postgres-database.js';
import type { Credentials } from './twilio-request.js';

export interface BenchEnvironment {
  database: DatabaseChoice;
  credentials: Credentials;
  serviceUrl: string;
  controlUrl: string;
  receiverUrl: string;
  service: Child;
  simulator: Child;
  receiver: Child;
  /** Set for PostgreSQL. */
  postgres: BenchDatabase | null;
  logDir: string;
  close(): Promise<void>;
}

interface Address { host: string; port: number }

const CLI = 'dist/cli/index.js';
const SMPP_SYSTEM_ID = 'bench';
const SMPP_PASSWORD = 'benchpw';
/** submit_sm in flight per bind: the SIP road's SMSC_MAX_IN_FLIGHT is larger, but 10 (the default) would cap the road at window / latency. */
const SMPP_WINDOW = 100;
const open = new Set<() => Promise<void>>();

/** Closes every environment still running (the Ctrl-C path). */
export async function closeAllEnvironments(): Promise<void> {
  await Promise.all([...open].map((close) => close()));
}
/** Service settings the operator may tune from the bench's own environment (the bench sets the rest). */
const PASS_THROUGH = /^(DATABASE_POOL_SIZE|DATABASE_NAMED_STATEMENTS|SMSC_|SIP_T|WEBHOOK_|API_|SEND_|INBOUND_)/;

export async function startBenchEnvironment(options: {
  database: DatabaseChoice; adminUrl: string; receiptDelayMs: number; maxInFlight: number; root: string; logDir: string;
  /** Start the simulator's SMPP side (a 'simulated' account) and bind the service to it (SMPP_BINDS). */
  smpp?: boolean;
  /** Service settings that override everything else (the idle accept phase's SMSC_MAX_RATE). */
  serviceEnv?: NodeJS.ProcessEnv;
  /** Prefix of the child log files, for a second environment on the same database kind. */
  logPrefix?: string;
}): Promise<BenchEnvironment> {
  const cleanups: Array<() => Promise<void> | void> = [];
  const close = async (): Promise<void> => {
    open.delete(close);
    const pending = cleanups.splice(0).reverse();
    for (const cleanup of pending) await cleanup();
  };
  open.add(close);
  try {
    const credentials = { accountSid: `AC${randomBytes(16).toString('hex')}`, authToken: randomBytes(16).toString('hex') };
    const databaseEnv = await prepareDatabase({ ...options, cleanups });
    const child = (name: string, args: string[], env: NodeJS.ProcessEnv = baseEnv(), nodeArgs: string[] = []): Child => {
      const started = startChild({ name, args: [...nodeArgs, CLI, ...args], env, cwd: options.root, logFile: join(options.logDir, `${options.logPrefix ?? ''}${options.database}-${name}.log`) });
      cleanups.push(() => started.stop());
      return started;
    };
    const serviceSipPort = await freeSipPort();
    const simulator = child('simulator', [
      'simulate', '--sip-listen', 'udp:127.0.0.1:0', '--service', `sip:127.0.0.1:${serviceSipPort};transport=udp`,
      '--receipt-delay-ms', String(options.receiptDelayMs), '--control', '127.0.0.1:0', '--lean-http',
      ...(options.smpp ? ['--smpp-listen', '127.0.0.1:0', '--smpp-account', `${SMPP_SYSTEM_ID}:${SMPP_PASSWORD}:simulated`] : []),
    ], baseEnv(), peerNodeArgs('simulator'));
    const receiver = child('receiver', [
      'simulate', '--echo-only', '--echo-receiver', '127.0.0.1:0', '--auth-token', credentials.authToken, '--lean-http',
    ], baseEnv(), peerNodeArgs('receiver'));
    const [smscSip] = await simulator.line<Address[]>('sip');
    const smscSmpp = options.smpp ? await simulator.line<Address | null>('smpp') : null;
    const control = await simulator.line<Address>('control');
    const echo = await receiver.line<Address>('echoReceiver');
    const port = await freeTcpPort();
    const service = child('service', ['serve'], {
      ...baseEnv(),
      ...serviceRuntimeEnv(options.root),
      ...passThrough(process.env),
      ...databaseEnv.env,
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'warn',
      ACCOUNT_SID: credentials.accountSid,
      AUTH_TOKEN: credentials.authToken,
      SIP_LISTEN: `udp:127.0.0.1:${serviceSipPort}`,
      SMSC_URI: `sip:127.0.0.1:${smscSip!.port};transport=udp`,
      SIP_ALLOWED_SOURCES: '127.0.0.1/32',
      SMSC_MAX_IN_FLIGHT: process.env.SMSC_MAX_IN_FLIGHT ?? String(options.maxInFlight),
      ...(smscSmpp ? { SMPP_BINDS: `smpp://${SMPP_SYSTEM_ID}:${SMPP_PASSWORD}@${smscSmpp.host}:${smscSmpp.port}?window=${SMPP_WINDOW}` } : {}),
      ...options.serviceEnv,
    }, serviceNodeArgs());
    const serviceUrl = `http://127.0.0.1:${port}`;
    await waitUntilReady({ url: `${serviceUrl}/readyz`, service });
    return {
      database: options.database, credentials, serviceUrl, service, simulator, receiver, postgres: databaseEnv.postgres,
      controlUrl: `http://${control.host}:${control.port}`, receiverUrl: `http://${echo.host}:${echo.port}`,
      logDir: options.logDir, close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * BENCH_SERVICE_NODE_ARGS: Node flags for the service process only, space-separated (e.g. `--cpu-prof
 * --cpu-prof-dir=/tmp/prof`; Node refuses --cpu-prof in NODE_OPTIONS).
 */
function serviceNodeArgs(): string[] {
  return (process.env.BENCH_SERVICE_NODE_ARGS ?? '').split(/\s+/).filter((arg) => arg !== '');
}

/** BENCH_SIMULATOR_NODE_ARGS / BENCH_RECEIVER_NODE_ARGS: the same for the peers (e.g. to profile them). */
function peerNodeArgs(peer: 'simulator' | 'receiver'): string[] {
  const value = peer === 'simulator' ? process.env.BENCH_SIMULATOR_NODE_ARGS : process.env.BENCH_RECEIVER_NODE_ARGS;
  return (value ?? '').split(/\s+/).filter((arg) => arg !== '');
}

async function prepareDatabase(options: {
  database: DatabaseChoice; adminUrl: string; cleanups: Array<() => Promise<void> | void>;
}): Promise<{ env: NodeJS.ProcessEnv; postgres: BenchDatabase | null }> {
  if (options.database === 'postgres') {
    const postgres = await createBenchDatabase({ adminUrl: options.adminUrl });
    options.cleanups.push(() => postgres.drop());
    return { env: { DATABASE_URL: postgres.url }, postgres };
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'smsc-bench-pglite-'));
  options.cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  return { env: { DATA_DIR: dataDir }, postgres: null };
}

function baseEnv(): NodeJS.ProcessEnv {
  // Only what node needs: the service must not pick up a DATABASE_URL or DATA_DIR meant for something else.
  return { PATH: process.env.PATH, HOME: process.env.HOME };
}

/**
 * The image's memory settings (image-runtime.ts), with the bench's own NODE_OPTIONS appended for the service only
 * (heap snapshots, profiles, other heap sizes: of two V8 flags the later wins).
 */
function serviceRuntimeEnv(root: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = imageRuntimeEnv(root);
  const nodeOptions = [env.NODE_OPTIONS, process.env.NODE_OPTIONS].filter((value) => value !== undefined && value !== '').join(' ');
  if (nodeOptions !== '') env.NODE_OPTIONS = nodeOptions;
  return env;
}

function passThrough(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([key]) => PASS_THROUGH.test(key)));
}

async function waitUntilReady(options: { url: string; service: Child }): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (options.service.process.exitCode !== null) throw new Error(`the service exited with ${options.service.process.exitCode}`);
    const ok = await fetch(options.url).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`the service was not ready at ${options.url} within 60 s`);
}
