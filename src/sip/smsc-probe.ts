// Reports whether the SMSC answers: a SIP OPTIONS every interval (counted from the end of the previous probe, so
// probes never overlap). The result is shown by /readyz and /metrics but never makes the service unready: while
// the SMSC is down we still accept and queue messages (that is the point of the queue), and inbound traffic from
// it obviously needs no probe. The first answer after a failed probe is announced (`onAnswered`): the outbound
// dispatcher then leaves its slow mode at once.
import type { Logger } from 'pino';
import type { SipPort } from './port.js';

export interface SmscProbeState {
  /** null until the first probe has finished. */
  reachable: boolean | null;
  lastStatus: number | null;
  lastReason: string | null;
  lastProbeAt: Date | null;
}

export interface SmscProbe {
  start(): void;
  stop(): void;
  state(): SmscProbeState;
}

export function createSmscProbe(options: {
  sip: SipPort;
  smscUri: string;
  localHostPort: string;
  intervalMs: number;
  timeoutMs: number;
  logger: Logger;
  /** Called when a probe is answered after one that was not (not at the first probe). */
  onAnswered?: () => void;
}): SmscProbe {
  const state: SmscProbeState = { reachable: null, lastStatus: null, lastReason: null, lastProbeAt: null };
  let timer: NodeJS.Timeout | undefined;
  // A probe still in flight when stop() runs is answered locally by the closing transport; that is not news
  // about the SMSC, so it is not reported.
  let running = false;
  // Each start() begins a new chain; a probe of an earlier chain still in flight after stop() schedules nothing.
  let chain = 0;
  const target = options.smscUri;
  const hostPart = target.replace(/^sips?:/, '').split(';')[0] ?? '';
  const probe = async () => {
    try {
      const response = await options.sip.request(
        'OPTIONS',
        {
          requestUri: target,
          from: `sip:smsc-connect@${options.localHostPort}`,
          to: `sip:${hostPart}`,
          headers: [],
          contentType: '',
          body: Buffer.alloc(0),
        },
        { timeoutMs: options.timeoutMs },
      );
      // Any answer from the network, even 405 or 404, proves the SMSC's SIP stack is up.
      update(!response.local, response.status, response.reason);
    } catch (error) {
      update(false, null, error instanceof Error ? error.message : String(error));
    }
  };
  const update = (reachable: boolean, status: number | null, reason: string | null) => {
    if (!running) return;
    const recovered = reachable && state.reachable === false;
    if (state.reachable !== reachable) {
      const log = reachable ? options.logger.info.bind(options.logger) : options.logger.warn.bind(options.logger);
      log({ smsc: target, status, reason }, reachable ? 'SMSC answers SIP OPTIONS' : 'SMSC does not answer SIP OPTIONS');
    }
    Object.assign(state, { reachable, lastStatus: status, lastReason: reason, lastProbeAt: new Date() });
    if (recovered) options.onAnswered?.();
  };
  const cycle = async (mine: number) => {
    await probe();
    if (!running || mine !== chain) return;
    timer = setTimeout(() => void cycle(mine), options.intervalMs);
    timer.unref();
  };
  return {
    start() {
      if (running) return;
      running = true;
      const mine = ++chain;
      void cycle(mine);
    },
    stop() {
      running = false;
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
    state: () => ({ ...state }),
  };
}
