// Samples CPU seconds per role (service, database, simulator, receiver, load generator) and the service's RSS
// every few hundred ms. Each role's total is the sum over every pid ever seen of its last-known CPU time, so
// PostgreSQL backends that come and go between phases are still counted; phases are differences of totals.
import { cpuSeconds, memoryMb } from './proc-stats.js';

export type Role = 'service' | 'database' | 'databaseShared' | 'simulator' | 'receiver' | 'loadGenerator';

export interface ResourceMark {
  cpu: Record<Role, number>;
  /** Highest VmRSS of the service seen since the previous mark, MB. */
  servicePeakRssMb: number;
  /** VmHWM of the service (lifetime peak), MB. */
  serviceHwmMb: number;
  at: number;
}

export interface ResourceSampler {
  mark(): Promise<ResourceMark>;
  stop(): void;
}

export function startResourceSampler(options: {
  pids: Record<Role, () => Promise<number[]> | number[]>;
  servicePid: number;
  intervalMs?: number;
}): ResourceSampler {
  const lastKnown = new Map<Role, Map<number, number>>();
  let peakRss = 0;
  let hwm = 0;
  let busy: Promise<void> = Promise.resolve();
  const sample = async (): Promise<void> => {
    for (const role of Object.keys(options.pids) as Role[]) {
      const byPid = lastKnown.get(role) ?? new Map<number, number>();
      lastKnown.set(role, byPid);
      for (const pid of await options.pids[role]()) {
        const seconds = cpuSeconds(pid);
        if (seconds !== null) byPid.set(pid, seconds);
      }
    }
    const memory = memoryMb(options.servicePid);
    if (memory) {
      peakRss = Math.max(peakRss, memory.rss);
      hwm = memory.hwm;
    }
  };
  const tick = (): void => {
    busy = busy.then(sample).catch(() => undefined);
  };
  const timer = setInterval(tick, options.intervalMs ?? 250);
  tick();
  return {
    async mark() {
      tick();
      await busy;
      const cpu = {} as Record<Role, number>;
      for (const role of Object.keys(options.pids) as Role[]) {
        cpu[role] = [...(lastKnown.get(role)?.values() ?? [])].reduce((a, b) => a + b, 0);
      }
      const result = { cpu, servicePeakRssMb: peakRss, serviceHwmMb: hwm, at: Date.now() };
      peakRss = memoryMb(options.servicePid)?.rss ?? 0;
      return result;
    },
    stop: () => clearInterval(timer),
  };
}

/** CPU seconds per role between two marks, and the wall-clock seconds they span. */
export function cpuBetween(from: ResourceMark, to: ResourceMark): { wallSeconds: number; cpuSeconds: Record<Role, number> } {
  const cpuSecondsByRole = {} as Record<Role, number>;
  for (const role of Object.keys(to.cpu) as Role[]) cpuSecondsByRole[role] = round(to.cpu[role] - (from.cpu[role] ?? 0), 2);
  return { wallSeconds: round((to.at - from.at) / 1000, 2), cpuSeconds: cpuSecondsByRole };
}

export function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
