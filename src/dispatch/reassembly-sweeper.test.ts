import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createPollLoop } from './reassembly-sweeper.js';

describe('createPollLoop', () => {
  it('survives failing sweeps (a lost database), keeps polling and recovers with the first success', async () => {
    const lines: Array<{ failures?: number; retryInMs?: number }> = [];
    const log = pino({ level: 'error' }, { write: (line: string) => lines.push(JSON.parse(line) as { failures?: number }) });
    let calls = 0;
    let succeeded!: () => void;
    const recovered = new Promise<void>((resolve) => (succeeded = resolve));
    const loop = createPollLoop({
      intervalMs: 5,
      log,
      sweep: async () => {
        calls += 1;
        if (calls <= 3) throw Object.assign(new Error('Connection terminated unexpectedly'), {});
        succeeded();
        return false;
      },
    });
    loop.start();
    await recovered;
    await loop.stop();
    expect(calls).toBeGreaterThanOrEqual(4);
    // Each failure in a row doubles the wait.
    expect(lines.map((l) => [l.failures, l.retryInMs])).toEqual([[1, 5], [2, 10], [3, 20]]);
  });
});
