import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { ThrottledLog } from './throttled-log.js';

describe('ThrottledLog', () => {
  it('logs a reason once per interval and reports how many lines it skipped', () => {
    const lines: Array<Record<string, unknown>> = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) });
    let now = 0;
    const log = new ThrottledLog(logger, 1000, () => now);
    for (let i = 0; i < 5; i += 1) log.warn('a', { i }, 'refused a');
    log.warn('b', {}, 'refused b');
    now = 1000;
    log.warn('a', { i: 5 }, 'refused a');
    expect(lines.map(({ msg, i, suppressed }) => ({ msg, i, suppressed }))).toEqual([
      { msg: 'refused a', i: 0, suppressed: undefined },
      { msg: 'refused b', i: undefined, suppressed: undefined },
      { msg: 'refused a', i: 5, suppressed: 4 },
    ]);
  });
});
