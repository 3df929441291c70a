// The read-only port through which the console sees the SMSC link: the SIP transport, the SIP OPTIONS probe and
// the SMPP binds. The composition root (messaging-service.ts) implements it over the live objects; the app only
// ever calls it, so the HTTP side holds no reference to the messaging pipeline.
import type { SmscProbeState } from '../sip/smsc-probe.js';

export interface SmscLinkState {
  /** Outbound traffic without a route of its own goes this way. */
  defaultRoute: 'sip' | 'smpp';
  sip: {
    /** Our SIP transport is listening. */
    transportUp: boolean;
    probe: SmscProbeState;
  };
  /** null when no SMPP bind is configured. */
  smpp: { bound: number; total: number } | null;
}

export type SmscLinkSource = () => SmscLinkState;
