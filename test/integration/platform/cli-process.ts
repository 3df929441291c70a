// Runs the smsc-connect CLI as a real child process, straight from src/ through tsx (no build needed).
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const ENTRY = 'src/cli/index.ts';

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * The child's environment: only what the test sets (plus PATH), so the developer's own variables never leak in.
 * Ports are picked free (0): the defaults (HTTP 8080, SIP 5070) belong to a demo that may be running.
 */
function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', LOG_LEVEL: 'info', PORT: '0', SIP_LISTEN: 'udp:127.0.0.1:0,tcp:127.0.0.1:0', ...env };
}

/**
 * Holds the service's default ports (HTTP 8080, SIP 5070 over UDP and TCP) the way a running demo does, so a test
 * that still binds one fails. A port already taken (the demo really runs) is left as it is.
 */
export async function holdDefaultPorts(): Promise<() => Promise<void>> {
  const held: Array<() => Promise<void>> = [];
  for (const port of [8080, 5070]) {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error) => (error as NodeJS.ErrnoException).code === 'EADDRINUSE' ? resolve() : reject(error));
      server.listen(port, '127.0.0.1', () => {
        held.push(() => new Promise((done) => server.close(() => done())));
        resolve();
      });
    });
  }
  const udp = createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    udp.once('error', (error) => (error as NodeJS.ErrnoException).code === 'EADDRINUSE' ? resolve() : reject(error));
    udp.bind(5070, '127.0.0.1', () => {
      held.push(() => new Promise((done) => udp.close(() => done())));
      resolve();
    });
  });
  return async () => {
    for (const release of held) await release();
  };
}

function spawnCli(args: readonly string[], env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', ENTRY, ...args], {
    cwd: ROOT,
    env: childEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function collect(child: ChildProcess): { result: Promise<CliResult>; stdout: () => string } {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const result = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { result, stdout: () => stdout };
}

export async function runCli(options: { args: readonly string[]; env?: Record<string, string> }): Promise<CliResult> {
  return collect(spawnCli(options.args, options.env ?? {})).result;
}

export interface ServeProcess {
  url: string;
  /** Log lines so far, parsed. */
  lines(): Array<Record<string, unknown>>;
  /** Sends `signal` and resolves when the process has exited. */
  stop(signal?: NodeJS.Signals): Promise<CliResult>;
}

/** Starts `serve` and resolves once it logs that it is listening (rejects if it exits first). */
export async function startServe(options: { env: Record<string, string> }): Promise<ServeProcess> {
  const child = spawnCli(['serve'], options.env);
  const { result, stdout } = collect(child);
  const lines = () =>
    stdout().split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>);
  const url = await new Promise<string>((resolve, reject) => {
    const onData = () => {
      const listening = lines().find((line) => line.msg === 'smsc-connect is listening');
      if (listening) {
        child.stdout?.off('data', onData);
        resolve(String(listening.url));
      }
    };
    child.stdout?.on('data', onData);
    void result.then((r) => reject(new Error(`serve exited early (${r.code}): ${r.stderr}${r.stdout}`)));
  });
  return {
    url,
    lines,
    stop: (signal = 'SIGTERM') => {
      child.kill(signal);
      return result;
    },
  };
}
