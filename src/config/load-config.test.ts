import { describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { ConfigError } from './config-error.js';
import { loadConfig } from './load-config.js';
import { DEFAULT_SIP_LIMITS } from '../sip/native/limits.js';

const SID = 'AC0123456789abcdef0123456789abcdef';
const TOKEN = '0123456789abcdef0123456789abcdef';

function problemsOf(env: NodeJS.ProcessEnv): readonly string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('loadConfig accepted the environment');
}

describe('loadConfig defaults', () => {
  it('runs on an empty environment with the documented defaults', () => {
    const config = loadConfig({});
    expect(config.http).toEqual({ host: '127.0.0.1', port: 8080, shutdownDrainMs: 10_000 });
    expect(config.log.level).toBe('info');
    expect(config.database).toEqual({ kind: 'pglite', url: undefined, dataDir: resolve('data'), poolSize: 20, namedStatements: 256 });
    expect(config.mainAccount).toBeUndefined();
    expect(config.sip).toEqual({
      stack: 'native',
      listen: [
        { transport: 'udp', host: '127.0.0.1', port: 5070 },
        { transport: 'tcp', host: '127.0.0.1', port: 5070 },
      ],
      smsc: { uri: 'sip:127.0.0.1:5060;transport=udp', host: '127.0.0.1', port: 5060, transport: 'udp' },
      allowedSources: ['127.0.0.1/32'],
      drachtio: undefined,
      timers: { t1Ms: 500, t2Ms: 4000, t4Ms: 5000 },
      unknownNumberStatus: 604,
      inboundMaxInFlight: 5000,
      limits: { maxMessageBytes: 131_072, tcpIdleTimeoutMs: 120_000, tcpIncompleteTimeoutMs: 10_000, tcpMaxConnections: 256, tcpMaxConnectionsPerSource: 32 },
    });
    // The schema's defaults are the native stack's own, so an adapter built without configuration behaves alike.
    expect(config.sip.limits).toEqual(DEFAULT_SIP_LIMITS);
    expect(config.smsc).toEqual({
      numberRewrite: [],
      receiptCorrectionWindowS: 3600,
      sendValidity: false,
      bodyCharsetGsm7: 'utf-8',
      bodyCharsetUcs2: 'utf-8',
      receipts: true,
      maxRate: 0,
      maxInFlight: 32,
      senderMaxRate: 0,
      retryBaseMs: 1000,
      retryMaxMs: 60_000,
      probeIntervalMs: 10_000,
    });
    expect(config.webhooks).toEqual({
      timeoutMs: 15_000, concurrency: 256, maxAttempts: 0, retryDeadlineS: 3600, retryBaseDelayMs: 1000, retryMaxDelayS: 60,
      allowPrivateUrls: true,
    });
    expect(config.api.rateLimit).toBe(0);
    expect(config.inbound.reassemblyTimeoutS).toBe(300);
  });

  it('keeps PGlite\'s in-memory DATA_DIR as it is and resolves folders', () => {
    expect(loadConfig({ DATA_DIR: 'memory://' }).database.dataDir).toBe('memory://');
    expect(loadConfig({ DATA_DIR: 'var/db' }).database.dataDir).toBe(resolve('var/db'));
  });

  it('returns a deeply frozen object', () => {
    const config = loadConfig({});
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.sip.listen[0])).toBe(true);
    expect(() => {
      (config.http as { port: number }).port = 1;
    }).toThrow(TypeError);
  });

  it('treats empty values as unset, and converts numbers and booleans', () => {
    const config = loadConfig({ PORT: '', SMSC_RECEIPTS: 'false', SMSC_SEND_VALIDITY: 'TRUE', SMSC_MAX_RATE: '2.5' });
    expect(config.http.port).toBe(8080);
    expect(config.smsc.receipts).toBe(false);
    expect(config.smsc.sendValidity).toBe(true);
    expect(config.smsc.maxRate).toBe(2.5);
  });

  it('uses PostgreSQL when DATABASE_URL is set and seeds the main account when both credentials are', () => {
    const config = loadConfig({ DATABASE_URL: 'postgresql://u:p@db:5432/x', ACCOUNT_SID: SID, AUTH_TOKEN: TOKEN });
    expect(config.database.kind).toBe('postgres');
    expect(config.database.url).toBe('postgresql://u:p@db:5432/x');
    expect(config.mainAccount).toEqual({ sid: SID, authToken: TOKEN });
  });
});

describe('loadConfig problems', () => {
  it('lists every problem at once', () => {
    const problems = problemsOf({
      PORT: 'abc',
      LOG_LEVEL: 'loud',
      ACCOUNT_SID: 'AC123',
      SIP_STACK: 'drachtio',
      SMSC_RECEIPTS: 'yes',
      SIP_UNKNOWN_NUMBER_STATUS: '404',
      SIP_T1_MS: '5000',
      SIP_T2_MS: '4000',
      SIP_LISTEN: 'udp:127.0.0.1:5070,sctp:1.2.3.4:5',
    });
    expect(problems).toEqual([
      'PORT: must be an integer from 0 to 65535 (got "abc")',
      'LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent (got "loud")',
      'ACCOUNT_SID: must match pattern "^AC[0-9a-f]{32}$" (got "AC123")',
      'SIP_UNKNOWN_NUMBER_STATUS: must be an integer from 500 to 699 (got "404")',
      'SMSC_RECEIPTS: must be true or false (got "yes")',
      'ACCOUNT_SID is set but AUTH_TOKEN is not: set both or neither',
      'SIP_LISTEN: "sctp:1.2.3.4:5" is not udp:host:port or tcp:host:port',
      'SIP_T2_MS (4000) must be at least SIP_T1_MS (5000)',
      'SIP_STACK=drachtio requires DRACHTIO_URL',
    ]);
  });

  it('maps the SIP size and TCP limits, and keeps the per-source cap within the total', () => {
    const env = {
      SIP_MAX_MESSAGE_BYTES: '4096',
      SIP_TCP_IDLE_TIMEOUT_MS: '5000',
      SIP_TCP_INCOMPLETE_TIMEOUT_MS: '500',
      SIP_TCP_MAX_CONNECTIONS: '10',
      SIP_TCP_MAX_CONNECTIONS_PER_SOURCE: '2',
    };
    expect(loadConfig(env).sip.limits).toEqual({
      maxMessageBytes: 4096, tcpIdleTimeoutMs: 5000, tcpIncompleteTimeoutMs: 500, tcpMaxConnections: 10, tcpMaxConnectionsPerSource: 2,
    });
    expect(problemsOf({ SIP_TCP_MAX_CONNECTIONS: '4', SIP_TCP_MAX_CONNECTIONS_PER_SOURCE: '8', SIP_MAX_MESSAGE_BYTES: '2000000' })).toEqual([
      'SIP_MAX_MESSAGE_BYTES: must be an integer from 1024 to 1048576 (got "2000000")',
      'SIP_TCP_MAX_CONNECTIONS_PER_SOURCE (8) must not exceed SIP_TCP_MAX_CONNECTIONS (4)',
    ]);
  });

  it('never echoes secrets', () => {
    const problems = problemsOf({ AUTH_TOKEN: 'short secret', DATABASE_URL: 'mysql://root:hunter2@db' });
    expect(problems).toEqual([
      'AUTH_TOKEN: must not have fewer than 16 characters (value hidden)',
      'DATABASE_URL: must be a postgresql://user:password@host:port/database URL (value hidden)',
      'AUTH_TOKEN is set but ACCOUNT_SID is not: set both or neither',
    ]);
    expect(problems.join('\n')).not.toContain('hunter2');
  });

  it('requires a drachtio secret and a well-formed DRACHTIO_URL', () => {
    expect(problemsOf({ SIP_STACK: 'drachtio', DRACHTIO_URL: 'tcp://127.0.0.1' })).toEqual([
      'DRACHTIO_URL: a tcp:// URL must name the port',
      'SIP_STACK=drachtio requires a secret: in DRACHTIO_URL (drachtio://secret@host) or DRACHTIO_SECRET',
    ]);
    const config = loadConfig({ SIP_STACK: 'drachtio', DRACHTIO_URL: 'tcp://127.0.0.1:9022', DRACHTIO_SECRET: 's3' });
    expect(config.sip.drachtio).toEqual({ url: 'tcp://127.0.0.1:9022', secret: 's3' });
  });

  it('rejects retry bounds in the wrong order', () => {
    expect(problemsOf({ SEND_RETRY_BASE_MS: '5000', SEND_RETRY_MAX_MS: '100' })).toEqual([
      'SEND_RETRY_MAX_MS (100) must be at least SEND_RETRY_BASE_MS (5000)',
    ]);
  });

  it('formats the error message with one line per problem', () => {
    expect(() => loadConfig({ PORT: '70000', HOST: ' ' })).toThrow(
      'Invalid configuration (1 problem):\n  - PORT: must be an integer from 0 to 65535 (got "70000")',
    );
  });
});

describe('SIP addresses', () => {
  it('derives SIP_ALLOWED_SOURCES from the SMSC address', () => {
    expect(loadConfig({ SMSC_URI: 'sip:10.0.0.5:5060' }).sip.allowedSources).toEqual(['10.0.0.5/32']);
    expect(loadConfig({ SMSC_URI: 'sip:smsc@[2001:db8::5]:5080;transport=tcp' }).sip).toMatchObject({
      smsc: { host: '2001:db8::5', port: 5080, transport: 'tcp' },
      allowedSources: ['2001:db8::5/128'],
    });
  });

  it('asks for SIP_ALLOWED_SOURCES when the SMSC is named by DNS name', () => {
    expect(problemsOf({ SMSC_URI: 'sip:smsc.example.net' })).toEqual([
      'SIP_ALLOWED_SOURCES must be set: SMSC_URI names the host "smsc.example.net", not an IP address',
    ]);
    const config = loadConfig({ SMSC_URI: 'sip:smsc.example.net', SIP_ALLOWED_SOURCES: '10.0.0.0/8, ::1' });
    expect(config.sip.allowedSources).toEqual(['10.0.0.0/8', '::1/128']);
    expect(config.sip.smsc).toEqual({ uri: 'sip:smsc.example.net', host: 'smsc.example.net', port: 5060, transport: 'udp' });
  });

  it('reports each bad CIDR and listen address', () => {
    expect(
      problemsOf({ SIP_ALLOWED_SOURCES: '10.0.0.0/33,banana,::1/129', SIP_LISTEN: 'udp:[::1]:5070,udp:[::1]:5070,tcp:h:99999' }),
    ).toEqual([
      'SIP_LISTEN: "udp:[::1]:5070" is listed twice',
      'SIP_LISTEN: "tcp:h:99999" has a port above 65535',
      'SIP_ALLOWED_SOURCES: "10.0.0.0/33" has a prefix length outside 0-32',
      'SIP_ALLOWED_SOURCES: "banana" is not an IP address or CIDR block',
      'SIP_ALLOWED_SOURCES: "::1/129" has a prefix length outside 0-128',
    ]);
  });

  it('rejects a SMSC_URI that is not a sip: URI or has an unknown transport', () => {
    expect(problemsOf({ SMSC_URI: 'http://10.0.0.5' })).toEqual([
      'SMSC_URI: "http://10.0.0.5" is not a sip: URI like sip:10.0.0.5:5060;transport=udp',
    ]);
    expect(problemsOf({ SMSC_URI: 'sip:10.0.0.5;transport=sctp' })).toEqual(['SMSC_URI: transport=sctp is not udp or tcp']);
  });
});
