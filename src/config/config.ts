// The configuration every module receives: structured, typed, derived values computed once, frozen.
// Modules take the slice they need (e.g. `config.sip`) as part of their options; none reads the environment.
import type { SipListenAddress } from '../sip/port.js';
import type { RewriteRule } from '../messaging/number-rewrite.js';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** SMSC_URI, parsed. */
export interface SmscAddress {
  /** The URI as configured, e.g. `sip:127.0.0.1:5060;transport=udp`. */
  uri: string;
  host: string;
  port: number;
  transport: 'udp' | 'tcp';
}

/** One SMPP_BINDS entry, parsed. */
export interface SmppBind {
  host: string;
  port: number;
  systemId: string;
  password: string;
  systemType: string;
  tls: boolean;
  /** Most outstanding submit_sm on this bind (the URL's `window`, else SMPP_WINDOW). */
  window: number;
}

export interface Config {
  http: { host: string; port: number; /** SHUTDOWN_DRAIN_MS */ shutdownDrainMs: number };
  log: { level: LogLevel };
  database: {
    kind: 'postgres' | 'pglite';
    /** Set when kind is `postgres`. */
    url: string | undefined;
    /** DATA_DIR resolved to an absolute path (used when kind is `pglite`). */
    dataDir: string;
    poolSize: number;
    /** DATABASE_NAMED_STATEMENTS */
    namedStatements: number;
  };
  /** ACCOUNT_SID + AUTH_TOKEN, when both are set. */
  mainAccount: { sid: string; authToken: string } | undefined;
  /** AUTH_TOKEN_ENCRYPTION_KEY(_PREVIOUS) as 64 hex digits; no key means auth tokens are stored in plain text. */
  authTokenEncryption: { key: string | undefined; previousKey: string | undefined };
  sip: {
    stack: 'native' | 'drachtio';
    listen: readonly SipListenAddress[];
    smsc: SmscAddress;
    /** CIDR blocks (`a.b.c.d/n`, `x::y/n`) allowed to send us SIP requests. */
    allowedSources: readonly string[];
    /** Set when stack is `drachtio`. */
    drachtio: { url: string; secret: string | undefined } | undefined;
    timers: { t1Ms: number; t2Ms: number; t4Ms: number };
    unknownNumberStatus: number;
    /** SIP_INBOUND_MAX_IN_FLIGHT: MESSAGEs being stored at once; more are answered 480. */
    inboundMaxInFlight: number;
    /** SIP_MAX_MESSAGE_BYTES and SIP_TCP_*: what one peer may make the native stack hold, and for how long. */
    limits: {
      maxMessageBytes: number;
      tcpIdleTimeoutMs: number;
      tcpIncompleteTimeoutMs: number;
      tcpMaxConnections: number;
      tcpMaxConnectionsPerSource: number;
    };
  };
  smsc: {
    /** SMSC_NUMBER_REWRITE: per-road prefix rules, applied both ways. */
    numberRewrite: readonly RewriteRule[];
    /** RECEIPT_CORRECTION_WINDOW_S: how long a later final receipt may correct an earlier one. */
    receiptCorrectionWindowS: number;
    sendValidity: boolean;
    bodyCharsetGsm7: 'utf-8' | 'utf-16be' | 'gsm7';
    bodyCharsetUcs2: 'utf-8' | 'utf-16be';
    receipts: boolean;
    /** Messages per second; 0 = unlimited. */
    maxRate: number;
    maxInFlight: number;
    /** Messages per second per sender; 0 = off. */
    senderMaxRate: number;
    retryBaseMs: number;
    retryMaxMs: number;
    /** Pause between SIP OPTIONS probes of the SMSC. */
    probeIntervalMs: number;
  };
  /** The road of a message whose number and account choose none. */
  routing: { defaultRoute: 'sip' | 'smpp' };
  /** SMPP_*: the ESME binds (empty = no SMPP road) and how submit_sm/deliver_sm are built and read. */
  smpp: {
    binds: readonly SmppBind[];
    longMessages: 'udh' | 'payload';
    bodyEncoding: 'gsm7' | 'utf-8' | 'ucs2';
    requestTimeoutMs: number;
    enquireLinkS: number;
    moDedupeS: number;
  };
  inbound: { reassemblyTimeoutS: number };
  api: {
    /** Requests per second per account; 0 = off. */ rateLimit: number;
    /** Bound on each API database statement, lock wait and connection wait (API_STATEMENT_TIMEOUT_MS). */ statementTimeoutMs: number;
    /** X- header names a RestComm-API send may not set. */
    restcommXHeaderDeny: readonly string[];
    /** The SendAt window of scheduled messages, in seconds ahead. */
    schedule: { minLeadS: number; maxLeadS: number };
  };
  webhooks: {
    timeoutMs: number;
    concurrency: number;
    /** 0 = no limit: retry until the deadline. */
    maxAttempts: number;
    retryDeadlineS: number;
    retryBaseDelayMs: number;
    retryMaxDelayS: number;
    allowPrivateUrls: boolean;
  };
  /** MESSAGE_RETENTION_DAYS (0 = keep everything) and how the retention sweeper paces itself. */
  retention: { days: number; batchSize: number; batchPauseMs: number; intervalMs: number };
}
