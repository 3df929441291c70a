// Runs sipp (Debian `sip-tester`) as a real SIP peer on 127.0.0.1, for any test that needs an SMSC on the wire.
//
//   const uas = await startSipp({ scenario: await writeScenario(uasScenario({ status: 200, expectHeaderLines: ['X-SMS-CODING: 2'] })), transport: 'udp' });
//   ...send to `sip:...@127.0.0.1:${uas.port}` ...
//   expect(await uas.done).toMatchObject({ exitCode: 0 });
//
// startSipp resolves only once sipp's socket is bound (checked in /proc/net), so there is no sleep-and-hope.
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type SippTransport = 'udp' | 'tcp';

export interface SippResult {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  /** Contents of sipp's -trace_err file(s): unexpected messages, failed regex checks, timeouts. */
  errors: string;
}

export interface SippProcess {
  /** The local port sipp is bound to. */
  port: number;
  /** Settles when sipp exits (or was killed). */
  done: Promise<SippResult>;
  kill(): void;
}

export interface SippOptions {
  /** Path of the scenario XML. */
  scenario: string;
  transport: SippTransport;
  /** For a UAC: the `host:port` it sends to. Omit for a UAS. */
  remote?: string;
  /** Local port; a free one is chosen when omitted. */
  port?: number;
  /** Calls (transactions) to run before exiting; default 1. */
  calls?: number;
  /** Global timeout in seconds, after which sipp exits with an error; default 20. */
  timeoutS?: number;
  /** Extra values for `[key]` placeholders in the scenario (`-key name value`). */
  keys?: Record<string, string>;
  extraArgs?: string[];
}

export async function startSipp(options: SippOptions): Promise<SippProcess> {
  const port = options.port ?? (await freePort(options.transport));
  const workDir = await mkdtemp(join(tmpdir(), 'sipp-'));
  const args = [
    ...(options.remote ? [options.remote] : []),
    '-sf', options.scenario,
    '-i', '127.0.0.1',
    '-p', String(port),
    '-t', options.transport === 'udp' ? 'u1' : 't1',
    '-m', String(options.calls ?? 1),
    '-timeout', `${options.timeoutS ?? 20}s`,
    '-timeout_error',
    '-nostdin',
    '-trace_err',
    '-error_file', join(workDir, 'errors.log'),
    ...Object.entries(options.keys ?? {}).flatMap(([name, value]) => ['-key', name, value]),
    ...(options.extraArgs ?? []),
  ];
  const child = spawn('sipp', args, { cwd: workDir, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<SippResult>((resolve) => {
    const finish = async (exitCode: number | null): Promise<void> => resolve({ exitCode, stdout, stderr, errors: await readErrors(workDir) });
    child.once('error', (error) => void finish(null).then(() => (stderr += String(error))));
    child.once('exit', (code) => void finish(code));
  });
  const exitedEarly = done.then((result) => {
    throw new Error(`sipp exited before binding 127.0.0.1:${port} (code ${result.exitCode}): ${result.stderr}${result.errors}`);
  });
  // A UAC sends as soon as it starts, so waiting for its socket is only needed for a UAS.
  if (!options.remote) await Promise.race([waitForBound(options.transport, port), exitedEarly]);
  exitedEarly.catch(() => undefined);
  return { port, done, kill: () => child.kill('SIGKILL') };
}

/** Starts sipp and waits for it to exit. */
export async function runSipp(options: SippOptions): Promise<SippResult> {
  return (await startSipp(options)).done;
}

/** Writes a generated scenario into a temp file and returns its path. */
export async function writeScenario(xml: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sipp-scenario-'));
  const path = join(dir, 'scenario.xml');
  await writeFile(path, xml);
  return path;
}

/** The path of a static scenario under test/integration/sip/scenarios/. */
export function scenarioPath(name: string): string {
  return join(import.meta.dirname, 'scenarios', name);
}

async function readErrors(dir: string): Promise<string> {
  const files = (await readdir(dir)).filter((file) => file.endsWith('.log'));
  const texts = await Promise.all(files.map((file) => readFile(join(dir, file), 'utf8')));
  return texts.join('\n');
}

export async function freePort(transport: SippTransport): Promise<number> {
  if (transport === 'udp') {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    const { port } = socket.address();
    await new Promise<void>((resolve) => socket.close(() => resolve()));
    return port;
  }
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== 'object' || !address) throw new Error('no TCP port');
  return address.port;
}

/** Polls /proc/net until a socket is bound (UDP) or listening (TCP) on 127.0.0.1:port. */
async function waitForBound(transport: SippTransport, port: number): Promise<void> {
  const wanted = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  const listenState = transport === 'tcp' ? '0A' : '07';
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const table = await readFile(`/proc/net/${transport}`, 'utf8');
    const bound = table.split('\n').some((line) => {
      const fields = line.trim().split(/\s+/);
      return fields[1] === wanted && fields[3] === listenState;
    });
    if (bound) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`sipp did not bind ${transport} 127.0.0.1:${port}`);
}

export { uasScenario, uacScenario, type UasScenarioSpec, type UacMessageSpec } from './sipp-scenarios.js';

/** Retransmissions sipp counted for a message row of its final screen, e.g. `sippRetransmissions(out, 'MESSAGE')`. */
export function sippRetransmissions(stdout: string, row: string): number {
  const match = new RegExp(`^\\s*${row} -+>\\s+\\d+\\s+(\\d+)`, 'm').exec(stdout);
  if (!match) throw new Error(`no "${row}" row in sipp's screen output`);
  return Number(match[1]);
}
