// Linux /proc readers: CPU time (utime + stime of all threads) and memory of one process. A process that has
// gone away reads as null, which callers treat as "keep the last value".
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const CLOCK_TICKS = Number(safeExec('getconf', ['CLK_TCK']) ?? '100') || 100;

/** utime + stime in seconds, or null when the process is gone. */
export function cpuSeconds(pid: number): number | null {
  const text = safeRead(`/proc/${pid}/stat`);
  if (text === null) return null;
  // The command name (field 2) may contain spaces and parentheses: fields are counted after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return (utime + stime) / CLOCK_TICKS;
}

/** VmRSS and VmHWM (peak) in MB, or null when the process is gone. */
export function memoryMb(pid: number): { rss: number; hwm: number } | null {
  const text = safeRead(`/proc/${pid}/status`);
  if (text === null) return null;
  const kb = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0);
  return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
}

/** Process ids whose command line contains `needle` (like `pgrep -f`), for PostgreSQL's helper processes. */
export function pidsMatching(needle: string): number[] {
  const out = safeExec('pgrep', ['-f', needle]);
  return out === null ? [] : out.split('\n').filter((l) => l !== '').map(Number);
}

function safeRead(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

function safeExec(file: string, args: string[]): string | null {
  try {
    return execFileSync(file, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return null;
  }
}
