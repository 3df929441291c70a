import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { componentLogger, createLogger } from './logger.js';

function capture(): { lines: () => Record<string, unknown>[]; stream: Writable } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return {
    stream,
    lines: () => chunks.join('').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

describe('createLogger', () => {
  it('redacts Authorization headers, tokens and secrets', () => {
    const out = capture();
    const logger = createLogger({ level: 'info', destination: out.stream });
    logger.info(
      {
        req: { method: 'POST', headers: { authorization: 'Basic QUM6dG9rZW4=', host: 'x' } },
        account: { sid: 'AC1', authToken: 'tok' },
        secret: 's',
        drachtio: { secret: 'cymru' },
      },
      'request',
    );
    expect(out.lines()[0]).toMatchObject({
      msg: 'request',
      req: { method: 'POST', headers: { authorization: '[redacted]', host: 'x' } },
      account: { sid: 'AC1', authToken: '[redacted]' },
      secret: '[redacted]',
      drachtio: { secret: '[redacted]' },
    });
  });

  it('tags child loggers with their component and honours the level', () => {
    const out = capture();
    const logger = createLogger({ level: 'warn', destination: out.stream });
    const sip = componentLogger(logger, 'sip');
    sip.info('hidden');
    sip.warn({ messageSid: 'SM1' }, 'shown');
    expect(out.lines()).toEqual([
      expect.objectContaining({ level: 40, component: 'sip', service: 'smsc-connect', messageSid: 'SM1', msg: 'shown' }),
    ]);
  });
});
