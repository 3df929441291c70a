// Runs `smsc-connect serve` as a real child process (straight from src/ through tsx, so no build is needed), for
// tests that must kill, signal or restart the service, or run several instances against one database.
//
//   const service = await startServiceProcess({ env: { DATABASE_URL, SIP_LISTEN, SMSC_URI, ... } });
//   ... use service.url ...
//   service.kill('SIGKILL');
//   await service.exited;          // { code, signal }
//
// It resolves once the process has logged "smsc-connect is listening" (which happens after the HTTP port is
// bound) and /healthz answers, and rejects with the captured output if the process exits first.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ENTRY = 'src/cli/index.ts';
const LISTENING = 'smsc-connect is listening';

export interface ServiceExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ServiceProcess {
  pid: number;
  /** Base URL of the HTTP API (the real port when PORT=0). */
  url: string;
  /** SIP listening points as logged, e.g. `udp:127.0.0.1:5070`. */
  sip: string[];
  /** Settles when the process has exited. */
  exited: Promise<ServiceExit>;
  /** Null while the process runs. */
  exitCode(): number | null;
  stdout(): string;
  stderr(): string;
  /** stdout's JSON log lines, parsed. */
  lines(): Array<Record<string, unknown>>;
  /** Sends a signal (no-op once exited). */
  kill(signal: NodeJS.Signals): void;
  /** SIGTERM, then SIGKILL if the process is still there after `graceMs`; resolves once it has exited. */
  stop(options?: { graceMs?: number }): Promise<ServiceExit>;
}

export interface ServiceProcessOptions {
  /** The child's whole environment besides PATH: nothing from the test runner's environment leaks in. */
  env: Record<string, string>;
  /** How long start-up may take; default 30 s (tsx compiles on the fly, and CI shares two cores). */
  startTimeoutMs?: number;
}

export async function startServiceProcess(options: ServiceProcessOptions): Promise<ServiceProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', ENTRY, 'serve'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', PORT: '0', LOG_LEVEL: 'info', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = capture(child);
  const service = controls(child, output);
  try {
    const listening = await waitForListening(child, output, options.startTimeoutMs ?? 30_000);
    const url = String(listening.url);
    const sip = Array.isArray(listening.sip) ? listening.sip.map(String) : [];
    await waitForHealth(url);
    return { ...service, url, sip };
  } catch (error) {
    child.kill('SIGKILL');
    await service.exited;
    throw error;
  }
}

interface Output {
  stdout: string;
  stderr: string;
  exited: Promise<ServiceExit>;
  exit: ServiceExit | null;
}

function capture(child: ChildProcess): Output {
  const output: Output = { stdout: '', stderr: '', exit: null, exited: Promise.resolve({ code: null, signal: null }) };
  child.stdout?.on('data', (chunk: Buffer) => (output.stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output.stderr += chunk.toString()));
  output.exited = new Promise((resolve) => {
    child.once('error', (error) => {
      output.stderr += String(error);
      output.exit = { code: null, signal: null };
      resolve(output.exit);
    });
    child.once('close', (code, signal) => {
      output.exit = { code, signal };
      resolve(output.exit);
    });
  });
  return output;
}

function parseLines(stdout: string): Array<Record<string, unknown>> {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return []; // The last line may still be incomplete.
      }
    });
}

function controls(child: ChildProcess, output: Output): Omit<ServiceProcess, 'url' | 'sip'> {
  const kill = (signal: NodeJS.Signals): void => {
    if (output.exit === null) child.kill(signal);
  };
  return {
    pid: child.pid ?? -1,
    exited: output.exited,
    exitCode: () => output.exit?.code ?? null,
    stdout: () => output.stdout,
    stderr: () => output.stderr,
    lines: () => parseLines(output.stdout),
    kill,
    async stop(stopOptions = {}) {
      kill('SIGTERM');
      const timer = setTimeout(() => kill('SIGKILL'), stopOptions.graceMs ?? 15_000);
      const exit = await output.exited;
      clearTimeout(timer);
      return exit;
    },
  };
}

async function waitForListening(child: ChildProcess, output: Output, timeoutMs: number): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`serve did not start within ${timeoutMs} ms:\n${output.stderr}${output.stdout}`)), timeoutMs);
    const onData = (): void => {
      const line = parseLines(output.stdout).find((entry) => entry.msg === LISTENING);
      if (line) finish(undefined, line);
    };
    const finish = (error?: Error, line?: Record<string, unknown>): void => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      if (line) resolve(line);
      else reject(error);
    };
    child.stdout?.on('data', onData);
    void output.exited.then((exit) =>
      finish(new Error(`serve exited during start-up (code ${exit.code}, signal ${exit.signal}):\n${output.stderr}${output.stdout}`)),
    );
  });
}

async function waitForHealth(url: string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const ok = await fetch(`${url}/healthz`).then((response) => response.ok, () => false);
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${url}/healthz never answered 2xx`);
}
