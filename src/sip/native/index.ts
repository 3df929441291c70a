// Composition entry for the native SIP adapter.
import { NativeSipAdapter, type NativeSipAdapterOptions } from './native-adapter.js';

export function createNativeSipAdapter(options: NativeSipAdapterOptions): NativeSipAdapter {
  return new NativeSipAdapter(options);
}

export { NativeSipAdapter, type NativeSipAdapterOptions, type NativeSipStats } from './native-adapter.js';
export { parseSipListen, formatSipListen } from './listen-address.js';
export { DEFAULT_SIP_TIMERS, type SipTimers } from './sip-message.js';
export { DEFAULT_SIP_LIMITS, type SipLimits } from './limits.js';
