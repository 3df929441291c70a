// Paces the claims of a dispatcher that holds a route (its gateway is not ready). The claim skips the held
// route's messages, but it still reads past them: with a large backlog on that route, a claim that finds nothing
// else costs a scan of the whole backlog (about 100 ms for 20,000 rows). So after a claim comes back short, the
// next one waits, doubling from one poll interval up to `maxPolls` of them, unless something new can be claimed:
// a nudge (a message was created) or a change in which routes are held (a bind came up). Pure: the clock is passed.
import type { SmscRoute } from '../messaging/smsc-gateway.js';
import { backoffCeiling } from './backoff.js';

export class HeldRoutePacer {
  private idle: { held: string; level: number; until: number } | null = null;
  private nudged = false;

  constructor(private readonly options: { pollIntervalMs: number; maxPolls: number }) {}

  /** Something new may be claimable (a message was committed): the next claim runs whatever the pace. */
  nudge(): void {
    this.nudged = true;
  }

  /** Whether to skip this poll's claim: a route is held, nothing changed, and the last claim came back short. */
  skip(heldRoutes: readonly SmscRoute[], now: number): boolean {
    if (this.idle === null || this.nudged) return false;
    if (this.idle.held !== key(heldRoutes)) {
      this.idle = null;
      return false;
    }
    return now < this.idle.until;
  }

  /** Call right before a claim runs: a nudge arriving during it counts for the next one. */
  claiming(): void {
    this.nudged = false;
  }

  /** Records how a claim went: short (fewer rows than wanted) with a route held paces the next one. */
  claimed(heldRoutes: readonly SmscRoute[], short: boolean, now: number): void {
    if (heldRoutes.length === 0 || !short) {
      this.idle = null;
      return;
    }
    const held = key(heldRoutes);
    const level = (this.idle?.held === held ? this.idle.level : 0) + 1;
    const { pollIntervalMs, maxPolls } = this.options;
    this.idle = { held, level, until: now + backoffCeiling({ baseMs: pollIntervalMs, maxMs: pollIntervalMs * maxPolls }, level) };
  }
}

function key(routes: readonly SmscRoute[]): string {
  return [...routes].sort().join(',');
}
