// The SIP adapter factory the composition root (messaging-service.ts) uses: SIP_STACK picks the adapter; both
// implement the same SipPort.
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { Config } from '../config/index.js';
import { cidrMatcher } from './allowed-sources.js';
import { createDrachtioSipAdapter } from './drachtio/index.js';
import { createNativeSipAdapter } from './native/index.js';
import type { SipListenAddress, SipPort } from './port.js';

export interface SipStack {
  port: SipPort;
  /** The addresses SIP traffic is accepted on (real ports when configured with port 0). */
  boundAddresses(): SipListenAddress[];
}

export function createSipStack(options: { sip: Config['sip']; logger: Logger }): SipStack {
  const { sip, logger } = options;
  if (sip.stack === 'drachtio') {
    if (!sip.drachtio) throw new Error('SIP_STACK=drachtio needs DRACHTIO_URL');
    const port = createDrachtioSipAdapter({
      url: sip.drachtio.url,
      ...(sip.drachtio.secret === undefined ? {} : { secret: sip.drachtio.secret }),
      logger,
    });
    return { port, boundAddresses: () => port.boundAddresses() };
  }
  const port = createNativeSipAdapter({
    listen: [...sip.listen],
    timers: { ...sip.timers },
    logger,
    allowedSources: cidrMatcher([...sip.allowedSources]),
    limits: { ...sip.limits },
  });
  return { port, boundAddresses: () => port.boundAddresses() };
}

/**
 * host:port for the From URI of our MESSAGEs. The SMSC reads only the user part of From (smsc-sip-interface.md
 * §4.1), so the host matters for logs and traces only; a wildcard listener is named by this machine's host name.
 */
export function localHostPort(options: { stack: SipStack; transport: 'udp' | 'tcp' }): string {
  const bound = options.stack.boundAddresses();
  const chosen = bound.find((a) => a.transport === options.transport) ?? bound[0];
  if (!chosen) return hostname();
  const host = chosen.host === '0.0.0.0' || chosen.host === '::' ? hostname() : chosen.host;
  return `${host.includes(':') ? `[${host}]` : host}:${chosen.port}`;
}
