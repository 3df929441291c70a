// Runs the smsc-connect CLI as a real child process, straight from src/ through tsx (no build needed).
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const ENTRY = 'src/cli/index.ts';

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** The child's environment: only what the test sets (plus PATH), so the developer's own variables never leak in. */
function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', LOG_LEVEL: 'info', ...env };
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
  const child = spawnCli(['serve'], { PORT: '0', ...options.env });
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
