// How the SMSC treats the answer to a MESSAGE it sent (smsc-sip-interface.md §5.5): 2xx delivered, 5xx/6xx
// permanent failure, anything else (3xx, 4xx, no response) temporary and retried. The real SMSC waits 300 s,
// 600 s, ... up to the validity; the simulator compresses that into a few retries a configurable pause apart.
import type { SipFinalResponse } from '../sip/port.js';
import type { TimerSet } from './timer-set.js';

export type DeliveryResult = { kind: 'delivered' | 'permanent' | 'expired'; last: SipFinalResponse; tries: number };

export async function sendWithRetry(options: {
  send: () => Promise<SipFinalResponse>;
  retry: { attempts: number; delayMs: number };
  timers: TimerSet;
  onRetry?: (response: SipFinalResponse) => void;
}): Promise<DeliveryResult> {
  let tries = 0;
  for (;;) {
    const last = await options.send();
    tries += 1;
    if (last.status >= 200 && last.status < 300) return { kind: 'delivered', last, tries };
    if (last.status >= 500 && !last.local) return { kind: 'permanent', last, tries };
    if (tries > options.retry.attempts || !(await options.timers.sleep(options.retry.delayMs))) {
      return { kind: 'expired', last, tries };
    }
    options.onRetry?.(last);
  }
}
