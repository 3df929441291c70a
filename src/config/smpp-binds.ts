// SMPP_BINDS: `smpp://system_id:password@host[:port][?system_type=X&tls=0|1&window=N]`, comma-separated.
// Problems quote an entry with its password replaced by `***`, because the variable holds secrets.
import type { SmppBind } from './config.js';
import type { Parsed } from './sip-addresses.js';

const DEFAULT_PORT = 2775;
const KNOWN_PARAMS = new Set(['system_type', 'tls', 'window']);

export function parseSmppBinds(text: string, defaults: { window: number }): Parsed<SmppBind[]> {
  const value: SmppBind[] = [];
  const problems: string[] = [];
  const items = text.split(',').map((item) => item.trim()).filter((item) => item !== '');
  if (items.length === 0) problems.push('must name at least one smpp://system_id:password@host:port URL');
  items.forEach((item, index) => {
    const parsed = parseBind(item, defaults);
    if ('problem' in parsed) problems.push(`entry ${index + 1} (${masked(item)}): ${parsed.problem}`);
    else value.push(parsed.bind);
  });
  return { value, problems };
}

function parseBind(item: string, defaults: { window: number }): { bind: SmppBind } | { problem: string } {
  let url: URL;
  try {
    url = new URL(item);
  } catch {
    return { problem: 'is not a URL like smpp://system_id:password@host:2775' };
  }
  if (url.protocol !== 'smpp:' && url.protocol !== 'smpps:') return { problem: 'scheme must be smpp: or smpps:' };
  if (url.hostname === '') return { problem: 'has no host' };
  const systemId = decodeURIComponent(url.username);
  if (systemId === '' || systemId.length > 15) return { problem: 'system_id (the user part) must be 1-15 characters' };
  const password = decodeURIComponent(url.password);
  if (password.length > 8) return { problem: 'password must be at most 8 characters (SMPP 3.4 C-Octet String of 9)' };
  const unknown = [...url.searchParams.keys()].filter((key) => !KNOWN_PARAMS.has(key));
  if (unknown.length > 0) return { problem: `unknown parameter ${unknown.join(', ')} (known: system_type, tls, window)` };
  const tlsParam = url.searchParams.get('tls');
  if (tlsParam !== null && tlsParam !== '0' && tlsParam !== '1') return { problem: 'tls must be 0 or 1' };
  const windowParam = url.searchParams.get('window');
  const window = windowParam === null ? defaults.window : Number(windowParam);
  if (!/^\d+$/.test(windowParam ?? '1') || window < 1 || window > 1000) return { problem: 'window must be an integer from 1 to 1000' };
  const systemType = url.searchParams.get('system_type') ?? '';
  if (systemType.length > 12) return { problem: 'system_type must be at most 12 characters' };
  return {
    bind: {
      host: url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname,
      port: url.port === '' ? DEFAULT_PORT : Number(url.port),
      systemId,
      password,
      systemType,
      tls: url.protocol === 'smpps:' || tlsParam === '1',
      window,
    },
  };
}

function masked(item: string): string {
  return item.replace(/^([a-z]+:\/\/[^:@/]*):[^@/]*@/i, '$1:***@');
}
