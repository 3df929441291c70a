// The drachtio adapter's public surface, for the composition root (main.ts) and tests.
export { createDrachtioSipAdapter, type DrachtioSipAdapterOptions, type DrachtioSipPort } from './drachtio-adapter.js';
export { parseDrachtioUrl, parseServerHostports, DEFAULT_DRACHTIO_PORT, type DrachtioEndpoint } from './drachtio-url.js';
export { SipTransportError, type SipTransportErrorCode } from './sip-transport-error.js';
