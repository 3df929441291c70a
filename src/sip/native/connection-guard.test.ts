import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { ConnectionGuard, type ConnectionRefusal } from './connection-guard.js';

const logger = pino({ enabled: false });
const from = (address: string) => ({ address, port: 40000 });

describe('ConnectionGuard', () => {
  it('refuses sources outside the allow-list whatever the count', () => {
    const refusals: ConnectionRefusal[] = [];
    const guard = new ConnectionGuard({
      limits: { tcpMaxConnections: 10, tcpMaxConnectionsPerSource: 10 },
      allowedSources: (address) => address === '10.0.0.1',
      logger,
      onRefused: (refusal) => refusals.push(refusal),
    });
    expect(guard.admit(from('10.0.0.2'))).toBeUndefined();
    expect(guard.admit(from('10.0.0.1'))).toBeTypeOf('function');
    expect(refusals).toEqual(['source-not-allowed']);
  });

  it('caps per source and in total; a release frees exactly one place, once', () => {
    const refusals: ConnectionRefusal[] = [];
    const guard = new ConnectionGuard({ limits: { tcpMaxConnections: 3, tcpMaxConnectionsPerSource: 2 }, logger, onRefused: (r) => refusals.push(r) });
    const a1 = guard.admit(from('10.0.0.1'));
    expect(guard.admit(from('10.0.0.1'))).toBeTypeOf('function');
    expect(guard.admit(from('10.0.0.1'))).toBeUndefined();
    expect(guard.admit(from('10.0.0.2'))).toBeTypeOf('function');
    expect(guard.admit(from('10.0.0.3'))).toBeUndefined();
    a1!();
    a1!();
    expect(guard.admit(from('10.0.0.3'))).toBeTypeOf('function');
    expect(guard.admit(from('10.0.0.4'))).toBeUndefined();
    expect(refusals).toEqual(['connection-limit', 'connection-limit', 'connection-limit']);
  });
});
