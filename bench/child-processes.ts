// The bench's child processes (service, simulator, receiver): started from dist/, stderr kept in a log file, stdout
// read as JSON lines (the simulator prints its bound addresses there). Every child is registered so that
// stopAllChildren() can end them on success, on error and on Ctrl-C alike.
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, closeSync, openSync } from 'node:fs';
import { createInterface } from 'node:readline';

export interface Child {
  name: string;
  pid: number;
  process: ChildProcess;
  /** Resolves with the first stdout JSON line that has `key`. */
  line<T>(key: string, timeoutMs?: number): Promise<T>;
  stop(): Promise<void>;
}

const running = new Set<Child>();

export function startChild(options: { name: string; args: string[]; env: NodeJS.ProcessEnv; logFile: string; cwd: string }): Child {
  const logFd = openSync(options.logFile, 'a');
  const child = spawn(process.execPath, options.args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', logFd] });
  closeSync(logFd);
  if (child.pid === undefined) throw new Error(`${options.name} did not start`);
  const lines: Array<Record<string, unknown>> = [];
  const waiters = new Set<() => void>();
  createInterface({ input: child.stdout! }).on('line', (text) => {
    // stdout goes to the log file too: the service logs there (pino's default destination).
    appendFileSync(options.logFile, `${text}\n`);
    try {
      lines.push(JSON.parse(text) as Record<string, unknown>);
    } catch {
      return; // not one of the JSON lines we wait for
    }
    for (const wake of waiters) wake();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const handle: Child = {
    name: options.name,
    pid: child.pid,
    process: child,
    line: <T>(key: string, timeoutMs = 20_000) => waitForLine<T>({ key, lines, waiters, child, name: options.name, timeoutMs, logFile: options.logFile }),
    async stop() {
      running.delete(handle);
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
  running.add(handle);
  return handle;
}

export async function stopAllChildren(): Promise<void> {
  await Promise.all([...running].reverse().map((child) => child.stop()));
}

function waitForLine<T>(input: {
  key: string; lines: Array<Record<string, unknown>>; waiters: Set<() => void>; child: ChildProcess; name: string; timeoutMs: number; logFile: string;
}): Promise<T> {
  return new Promise((resolve, reject) => {
    const check = (): void => {
      const found = input.lines.find((line) => input.key in line);
      if (found) finish(() => resolve(found[input.key] as T));
    };
    const onExit = (code: number | null): void =>
      finish(() => reject(new Error(`${input.name} exited (${code}) before printing "${input.key}"; see ${input.logFile}`)));
    const timer = setTimeout(() => finish(() => reject(new Error(`${input.name} printed no "${input.key}" in ${input.timeoutMs} ms`))), input.timeoutMs);
    const finish = (settle: () => void): void => {
      clearTimeout(timer);
      input.waiters.delete(check);
      input.child.off('exit', onExit);
      settle();
    };
    input.waiters.add(check);
    input.child.once('exit', onExit);
    check();
  });
}
