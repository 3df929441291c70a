import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.js';
import { loadConfig } from './load-config.js';
import { parseSmppBinds } from './smpp-binds.js';

describe('parseSmppBinds', () => {
  it('parses several binds with defaults and per-bind overrides', () => {
    const parsed = parseSmppBinds('smpp://esme:pw@10.0.0.5, smpps://a%40b:p%3Aw@smsc.example:3550?system_type=VMA&window=3', { window: 10 });
    expect(parsed.problems).toEqual([]);
    expect(parsed.value).toEqual([
      { host: '10.0.0.5', port: 2775, systemId: 'esme', password: 'pw', systemType: '', tls: false, window: 10 },
      { host: 'smsc.example', port: 3550, systemId: 'a@b', password: 'p:w', systemType: 'VMA', tls: true, window: 3 },
    ]);
  });

  it('lists every bad entry with its password masked', () => {
    const parsed = parseSmppBinds('http://x:secret@h, smpp://:pw@h, smpp://id:pw@h?tls=yes, smpp://id:pw@h?window=0&foo=1', { window: 10 });
    expect(parsed.problems).toEqual([
      'entry 1 (http://x:***@h): scheme must be smpp: or smpps:',
      'entry 2 (smpp://:***@h): system_id (the user part) must be 1-15 characters',
      'entry 3 (smpp://id:***@h?tls=yes): tls must be 0 or 1',
      'entry 4 (smpp://id:***@h?window=0&foo=1): unknown parameter foo (known: system_type, tls, window)',
    ]);
  });

  it('refuses passwords longer than SMPP allows', () => {
    expect(parseSmppBinds('smpp://id:123456789@h', { window: 1 }).problems).toEqual([
      'entry 1 (smpp://id:***@h): password must be at most 8 characters (SMPP 3.4 C-Octet String of 9)',
    ]);
  });
});

describe('SMPP configuration', () => {
  it('defaults to SIP with no SMPP road', () => {
    const config = loadConfig({});
    expect(config.routing).toEqual({ defaultRoute: 'sip' });
    expect(config.smpp).toEqual({
      binds: [], longMessages: 'udh', bodyEncoding: 'utf-8', requestTimeoutMs: 10_000, enquireLinkS: 30, moDedupeS: 0,
    });
  });

  it('requires a bind for SMSC_DEFAULT_ROUTE=smpp and hides SMPP_BINDS values', () => {
    const problems = (env: NodeJS.ProcessEnv): readonly string[] => {
      try {
        loadConfig(env);
        return [];
      } catch (error) {
        if (error instanceof ConfigError) return error.problems;
        throw error;
      }
    };
    expect(problems({ SMSC_DEFAULT_ROUTE: 'smpp' })).toEqual(['SMSC_DEFAULT_ROUTE=smpp requires SMPP_BINDS']);
    expect(problems({ SMPP_BINDS: 'smpp://id:topsecret@h:99999' })).toEqual([
      'SMPP_BINDS: entry 1 (smpp://id:***@h:99999): is not a URL like smpp://system_id:password@host:2775',
    ]);
    expect(problems({ SMPP_WINDOW: '0', SMPP_LONG_MESSAGES: 'sar' })).toEqual([
      'SMPP_LONG_MESSAGES: must be one of udh, payload (got "sar")',
      'SMPP_WINDOW: must be an integer from 1 to 1000 (got "0")',
    ]);
  });

  it('applies SMPP_WINDOW to binds without their own window', () => {
    const config = loadConfig({ SMPP_BINDS: 'smpp://id:pw@127.0.0.1:2775', SMPP_WINDOW: '4', SMSC_DEFAULT_ROUTE: 'smpp' });
    expect(config.smpp.binds[0]?.window).toBe(4);
    expect(config.routing.defaultRoute).toBe('smpp');
  });
});
