// What the figures were measured on: printed with the results and stored in the JSON.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  memoryGb: number;
  loadAverage: string;
  node: string;
  commit: string;
}

export function machineInfo(root: string): MachineInfo {
  const cpuinfo = read('/proc/cpuinfo');
  return {
    cpus: cpus().length,
    cpuModel: /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? cpus()[0]?.model ?? 'unknown',
    memoryGb: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    loadAverage: read('/proc/loadavg').split(' ').slice(0, 3).join(' '),
    node: process.version,
    commit: git(root, ['rev-parse', '--short', 'HEAD']) + (git(root, ['status', '--porcelain']) === '' ? '' : ' (with uncommitted changes)'),
  };
}

function read(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function git(cwd: string, args: string[]): string {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}
