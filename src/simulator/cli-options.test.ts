import { describe, expect, it } from 'vitest';
import { parseSimulateFlags } from './cli-options.js';

describe('parseSimulateFlags', () => {
  it('uses the documented defaults', () => {
    expect(parseSimulateFlags({})).toEqual({
      simulator: {
        sipListen: [{ transport: 'udp', host: '127.0.0.1', port: 5060 }],
        serviceUri: 'sip:127.0.0.1:5070;transport=udp',
        policy: { answer: 200, latencyMs: 0 },
        receipts: { delayMs: 1000, outcome: 'delivered', undeliveredErr: 1 },
        smpp: undefined,
      },
      control: null,
      echo: null,
      moLoad: null,
      framing: 'node',
    });
  });

  it('parses every flag form', () => {
    const setup = parseSimulateFlags({
      'sip-listen': 'udp:127.0.0.1:0,tcp:127.0.0.1:0', service: 'sip:127.0.0.1:5070;transport=tcp',
      policy: 'mix:200=90,500=10', 'latency-ms': '5-20', 'receipt-delay-ms': '50', receipt: 'mix:90', 'receipt-err': '194',
      'smpp-listen': '127.0.0.1:2775', 'smpp-account': 'esme:secret,ours:pw:simulated', control: '127.0.0.1:8090',
      'echo-receiver': '127.0.0.1:8091', 'auth-token': 't', reply: 'none',
      'mo-from': '447700900123', 'mo-to': '14155550100', 'mo-count': '100', 'mo-rate': '50', 'lean-http': true,
    });
    expect(setup.framing).toBe('minimal');
    expect(setup.simulator.policy).toEqual({ answer: { 200: 90, 500: 10 }, latencyMs: { min: 5, max: 20 } });
    expect(setup.simulator.receipts).toEqual({ delayMs: 50, outcome: { deliveredPercent: 90 }, undeliveredErr: 194 });
    expect(setup.simulator.smpp).toEqual({
      listen: { host: '127.0.0.1', port: 2775 },
      accounts: [{ systemId: 'esme', password: 'secret', delivery: 'sip' }, { systemId: 'ours', password: 'pw', delivery: 'simulated' }],
    });
    expect(setup.control).toEqual({ host: '127.0.0.1', port: 8090 });
    expect(setup.echo).toEqual({ listen: { host: '127.0.0.1', port: 8091 }, authToken: 't', reply: 'none' });
    expect(setup.moLoad).toEqual({ from: '447700900123', to: '14155550100', text: 'Hello from the SMSC simulator', count: 100, ratePerSecond: 50 });
  });

  it('explains each bad flag', () => {
    expect(() => parseSimulateFlags({ policy: 'maybe' })).toThrow('Bad policy "maybe"');
    expect(() => parseSimulateFlags({ receipt: 'mix:120' })).toThrow('Bad --receipt "mix:120"');
    expect(() => parseSimulateFlags({ control: 'localhost:80' })).toThrow('Bad --control "localhost:80"');
    expect(() => parseSimulateFlags({ 'smpp-account': 'a:b' })).toThrow('--smpp-account needs --smpp-listen');
    expect(() => parseSimulateFlags({ 'smpp-listen': '127.0.0.1:0', 'smpp-account': 'a' })).toThrow('Bad --smpp-account "a"');
    expect(() => parseSimulateFlags({ 'mo-count': '3' })).toThrow('--mo-text/--mo-count need --mo-from and --mo-to');
    expect(() => parseSimulateFlags({ 'latency-ms': '-1' })).toThrow('--latency-ms must be a non-negative integer');
  });
});
