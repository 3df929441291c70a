// An open-loop MO load: `count` messages started at `ratePerSecond`, whatever the service's response times,
// so that a slow service shows up as latency and failures rather than as a lower offered rate.
import type { SipFinalResponse } from '../sip/port.js';
import type { MoRequest } from './mo-message.js';
import type { MoLoadOptions, MoLoadStats } from './simulator-types.js';
import type { TimerSet } from './timer-set.js';

export async function runMoLoad(
  options: MoLoadOptions & { timers: TimerSet; sendMo: (mo: MoRequest) => Promise<SipFinalResponse[]> },
): Promise<MoLoadStats> {
  if (!(options.ratePerSecond > 0) || !Number.isInteger(options.count) || options.count < 0) {
    throw new RangeError('MO load needs ratePerSecond > 0 and an integer count >= 0');
  }
  const stats: MoLoadStats = { messages: 0, succeeded: 0, failed: 0, responses: {}, elapsedMs: 0 };
  const started = Date.now();
  const inFlight: Array<Promise<void>> = [];
  for (let i = 0; i < options.count; i += 1) {
    const due = started + (i * 1000) / options.ratePerSecond;
    const wait = due - Date.now();
    if (wait > 0 && !(await options.timers.sleep(wait))) break;
    stats.messages += 1;
    inFlight.push(sendOne(options, stats));
  }
  await Promise.all(inFlight);
  stats.elapsedMs = Date.now() - started;
  return stats;
}

async function sendOne(options: MoLoadOptions & { sendMo: (mo: MoRequest) => Promise<SipFinalResponse[]> }, stats: MoLoadStats): Promise<void> {
  let responses: SipFinalResponse[];
  try {
    responses = await options.sendMo({ from: options.from, to: options.to, text: options.text });
  } catch {
    stats.failed += 1;
    return;
  }
  for (const response of responses) stats.responses[response.status] = (stats.responses[response.status] ?? 0) + 1;
  const ok = responses.length > 0 && responses.every((r) => r.status >= 200 && r.status < 300);
  if (ok) stats.succeeded += 1;
  else stats.failed += 1;
}
