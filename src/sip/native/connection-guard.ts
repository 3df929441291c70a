// Who may hold a TCP connection to us, decided on accept before a byte is read: the source must be inside
// SIP_ALLOWED_SOURCES, and under the per-source and total connection caps. A refused connection is closed at
// once, counted and logged (throttled: a flood of refusals must not become a flood of log lines).
import type { Logger } from 'pino';
import type { SipLimits } from './limits.js';
import { ThrottledLog } from './throttled-log.js';

export type ConnectionRefusal = 'source-not-allowed' | 'connection-limit';

export interface ConnectionGuardOptions {
  limits: Pick<SipLimits, 'tcpMaxConnections' | 'tcpMaxConnectionsPerSource'>;
  allowedSources?: (address: string) => boolean;
  logger: Logger;
  onRefused?: (refusal: ConnectionRefusal) => void;
}

export class ConnectionGuard {
  private total = 0;
  private readonly perSource = new Map<string, number>();
  private readonly log: ThrottledLog;

  constructor(private readonly options: ConnectionGuardOptions) {
    this.log = new ThrottledLog(options.logger);
  }

  /** Takes a place for a connection from `address`; returns its release, or undefined when it must be closed. */
  admit(source: { address: string; port: number }): (() => void) | undefined {
    const { limits, allowedSources } = this.options;
    const { address } = source;
    if (allowedSources && !allowedSources(address)) {
      return this.refuse('source-not-allowed', source, 'SIP TCP connection from a source outside SIP_ALLOWED_SOURCES closed on accept');
    }
    const fromSource = this.perSource.get(address) ?? 0;
    if (fromSource >= limits.tcpMaxConnectionsPerSource) {
      return this.refuse('connection-limit', source, `SIP TCP connection over SIP_TCP_MAX_CONNECTIONS_PER_SOURCE (${limits.tcpMaxConnectionsPerSource}) closed on accept`);
    }
    if (this.total >= limits.tcpMaxConnections) {
      return this.refuse('connection-limit', source, `SIP TCP connection over SIP_TCP_MAX_CONNECTIONS (${limits.tcpMaxConnections}) closed on accept`);
    }
    this.total += 1;
    this.perSource.set(address, fromSource + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.total -= 1;
      const left = (this.perSource.get(address) ?? 1) - 1;
      if (left > 0) this.perSource.set(address, left);
      else this.perSource.delete(address);
    };
  }

  private refuse(refusal: ConnectionRefusal, source: { address: string; port: number }, message: string): undefined {
    this.options.onRefused?.(refusal);
    this.log.warn(message, { source }, message);
    return undefined;
  }
}
