// loadConfig: environment → frozen Config. Every problem (type, range, structure, cross-field) is collected and
// reported together in one ConfigError; nothing is read from the environment anywhere else.
import { resolve } from 'node:path';
import type { TSchema } from 'typebox';
import Value from 'typebox/value';
import type { Config, LogLevel } from './config.js';
import { ConfigError } from './config-error.js';
import { envSchema, envVariable, type Env } from './schema.js';
import { decodeEncryptionKey } from './encryption-key.js';
import { parseSmppBinds } from './smpp-binds.js';
import { checkDrachtioUrl, parseCidrList, parseListenList, parseSmscUri, smscSourceBlock } from './sip-addresses.js';
import { parseRewriteRules, RewriteRuleError, type RewriteRule } from '../messaging/number-rewrite.js';

export function loadConfig(env: NodeJS.ProcessEnv): Config {
  const problems: string[] = [];
  const raw = readEnv(env);
  const values = Value.Default(envSchema, convertAll(raw)) as Env;
  problems.push(...typeProblems(values, raw));
  const config = derive(values, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return deepFreeze(config);
}

/** The schema's variables as set in `env`; empty or blank means unset (as `FOO=` in a compose file does). */
function readEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const raw: Record<string, string> = {};
  for (const name of Object.keys(envSchema.properties)) {
    const value = env[name]?.trim();
    if (value !== undefined && value !== '') raw[name] = value;
  }
  return raw;
}

// Strict on purpose: TypeBox's own Convert would accept "1e3" for a port or "yes" for a boolean.
function convertAll(raw: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, text] of Object.entries(raw)) out[name] = convert(envVariable(name), text);
  return out;
}

function convert(schema: TSchema, text: string): unknown {
  const type = (schema as { type?: string }).type;
  if ((type === 'integer' || type === 'number') && /^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  if (type === 'boolean') {
    const lower = text.toLowerCase();
    if (lower === 'true' || lower === '1') return true;
    if (lower === 'false' || lower === '0') return false;
  }
  return text;
}

function typeProblems(values: Env, raw: Record<string, string>): string[] {
  const seen = new Set<string>();
  const problems: string[] = [];
  for (const error of Value.Errors(envSchema, values)) {
    const name = error.instancePath.replace(/^\//, '');
    if (seen.has(name)) continue;
    seen.add(name);
    problems.push(`${name}: ${describeError(envVariable(name), error.message)}${shown(name, raw[name])}`);
  }
  return problems;
}

function describeError(schema: TSchema, message: string): string {
  const allowed = (schema as { enum?: unknown[] }).enum;
  if (allowed) return `must be one of ${allowed.join(', ')}`;
  if ((schema as { type?: string }).type === 'boolean') return 'must be true or false';
  const { minimum, maximum } = schema as { minimum?: number; maximum?: number };
  if (message.startsWith('must be integer') || message.startsWith('must be number') || message.includes('>=') ||
    message.includes('<=')) {
    const kind = (schema as { type?: string }).type === 'integer' ? 'an integer' : 'a number';
    const range = maximum === undefined ? ` >= ${minimum ?? 0}` : ` from ${minimum ?? 0} to ${maximum}`;
    return `must be ${kind}${range}`;
  }
  return message;
}

/** The offending value, quoted, unless the variable holds a secret. */
function shown(name: string, value: string | undefined): string {
  if (value === undefined) return '';
  return (envVariable(name) as { 'x-secret'?: boolean })['x-secret'] ? ' (value hidden)' : ` (got "${value}")`;
}

function derive(v: Env, problems: string[]): Config {
  // Derived in README order, so that problems are listed in that order too.
  const database = deriveDatabase(v, problems);
  const mainAccount = deriveMainAccount(v, problems);
  return {
    http: { host: v.HOST, port: v.PORT, shutdownDrainMs: v.SHUTDOWN_DRAIN_MS },
    log: { level: v.LOG_LEVEL as LogLevel },
    database,
    mainAccount,
    authTokenEncryption: deriveAuthTokenEncryption(v, problems),
    sip: deriveSip(v, problems),
    smsc: {
      numberRewrite: deriveNumberRewrite(v, problems),
      receiptCorrectionWindowS: v.RECEIPT_CORRECTION_WINDOW_S,
      sendValidity: v.SMSC_SEND_VALIDITY,
      bodyCharsetGsm7: v.SMSC_BODY_CHARSET_GSM7,
      bodyCharsetUcs2: v.SMSC_BODY_CHARSET_UCS2,
      receipts: v.SMSC_RECEIPTS,
      maxRate: v.SMSC_MAX_RATE,
      maxInFlight: v.SMSC_MAX_IN_FLIGHT,
      senderMaxRate: v.SENDER_MAX_RATE,
      retryBaseMs: v.SEND_RETRY_BASE_MS,
      retryMaxMs: v.SEND_RETRY_MAX_MS,
      probeIntervalMs: v.SMSC_PROBE_INTERVAL_MS,
    },
    ...deriveSmpp(v, problems),
    inbound: { reassemblyTimeoutS: v.MO_REASSEMBLY_TIMEOUT_S },
    api: {
      rateLimit: v.API_RATE_LIMIT,
      statementTimeoutMs: v.API_STATEMENT_TIMEOUT_MS,
      restcommXHeaderDeny: v.RESTCOMM_X_HEADER_DENY.split(',').map((name) => name.trim()).filter((name) => name !== ''),
      schedule: { minLeadS: v.SCHEDULE_MIN_LEAD_S, maxLeadS: v.SCHEDULE_MAX_LEAD_S },
    },
    webhooks: {
      timeoutMs: v.WEBHOOK_TIMEOUT_MS,
      concurrency: v.WEBHOOK_CONCURRENCY,
      maxAttempts: v.WEBHOOK_MAX_ATTEMPTS,
      retryDeadlineS: v.WEBHOOK_RETRY_DEADLINE_S,
      retryBaseDelayMs: v.WEBHOOK_RETRY_BASE_DELAY_MS,
      retryMaxDelayS: v.WEBHOOK_RETRY_MAX_DELAY_S,
      allowPrivateUrls: v.WEBHOOK_ALLOW_PRIVATE_URLS,
    },
    retention: {
      days: v.MESSAGE_RETENTION_DAYS,
      batchSize: v.RETENTION_BATCH_SIZE,
      batchPauseMs: v.RETENTION_BATCH_PAUSE_MS,
      intervalMs: v.RETENTION_INTERVAL_S * 1000,
    },
  };
}

function deriveDatabase(v: Env, problems: string[]): Config['database'] {
  const url = v.DATABASE_URL;
  if (url !== undefined && !/^postgres(ql)?:\/\/[^/]/.test(url)) {
    problems.push('DATABASE_URL: must be a postgresql://user:password@host:port/database URL (value hidden)');
  }
  return {
    kind: url === undefined ? 'pglite' : 'postgres',
    url,
    // `memory://` is PGlite's in-memory database (tests, demos), not a path.
    dataDir: v.DATA_DIR.startsWith('memory://') ? v.DATA_DIR : resolve(v.DATA_DIR),
    poolSize: v.DATABASE_POOL_SIZE,
    namedStatements: v.DATABASE_NAMED_STATEMENTS,
  };
}

function deriveMainAccount(v: Env, problems: string[]): Config['mainAccount'] {
  if (v.ACCOUNT_SID !== undefined && v.AUTH_TOKEN !== undefined) return { sid: v.ACCOUNT_SID, authToken: v.AUTH_TOKEN };
  if (v.ACCOUNT_SID !== undefined) problems.push('ACCOUNT_SID is set but AUTH_TOKEN is not: set both or neither');
  if (v.AUTH_TOKEN !== undefined) problems.push('AUTH_TOKEN is set but ACCOUNT_SID is not: set both or neither');
  return undefined;
}

function deriveAuthTokenEncryption(v: Env, problems: string[]): Config['authTokenEncryption'] {
  const decode = (name: 'AUTH_TOKEN_ENCRYPTION_KEY' | 'AUTH_TOKEN_ENCRYPTION_KEY_PREVIOUS'): string | undefined => {
    const text = v[name];
    if (text === undefined) return undefined;
    const decoded = decodeEncryptionKey(text);
    if ('error' in decoded) problems.push(`${name}: ${decoded.error} (value hidden)`);
    return 'hex' in decoded ? decoded.hex : undefined;
  };
  const key = decode('AUTH_TOKEN_ENCRYPTION_KEY');
  const previousKey = decode('AUTH_TOKEN_ENCRYPTION_KEY_PREVIOUS');
  if (v.AUTH_TOKEN_ENCRYPTION_KEY === undefined && v.AUTH_TOKEN_ENCRYPTION_KEY_PREVIOUS !== undefined) {
    problems.push('AUTH_TOKEN_ENCRYPTION_KEY_PREVIOUS is set but AUTH_TOKEN_ENCRYPTION_KEY is not: the previous key only helps a rotation to a new one');
  }
  // An encrypted token is recognised by this prefix; a configured plain token must not look like one.
  if (v.AUTH_TOKEN?.startsWith('enc:') === true) problems.push('AUTH_TOKEN: must not start with "enc:" (value hidden)');
  return { key, previousKey };
}

function deriveSip(v: Env, problems: string[]): Config['sip'] {
  const listen = collect('SIP_LISTEN', parseListenList(v.SIP_LISTEN), problems);
  const smsc = collect('SMSC_URI', parseSmscUri(v.SMSC_URI), problems);
  if (v.SIP_T2_MS < v.SIP_T1_MS) problems.push(`SIP_T2_MS (${v.SIP_T2_MS}) must be at least SIP_T1_MS (${v.SIP_T1_MS})`);
  if (v.SIP_TCP_MAX_CONNECTIONS_PER_SOURCE > v.SIP_TCP_MAX_CONNECTIONS) {
    problems.push(
      `SIP_TCP_MAX_CONNECTIONS_PER_SOURCE (${v.SIP_TCP_MAX_CONNECTIONS_PER_SOURCE}) must not exceed SIP_TCP_MAX_CONNECTIONS (${v.SIP_TCP_MAX_CONNECTIONS})`,
    );
  }
  if (v.SEND_RETRY_MAX_MS < v.SEND_RETRY_BASE_MS) {
    problems.push(`SEND_RETRY_MAX_MS (${v.SEND_RETRY_MAX_MS}) must be at least SEND_RETRY_BASE_MS (${v.SEND_RETRY_BASE_MS})`);
  }
  return {
    stack: v.SIP_STACK,
    listen,
    smsc: smsc ?? { uri: v.SMSC_URI, host: '', port: 0, transport: 'udp' },
    allowedSources: deriveAllowedSources(v, smsc, problems),
    drachtio: deriveDrachtio(v, problems),
    timers: { t1Ms: v.SIP_T1_MS, t2Ms: v.SIP_T2_MS, t4Ms: v.SIP_T4_MS },
    unknownNumberStatus: v.SIP_UNKNOWN_NUMBER_STATUS,
    inboundMaxInFlight: v.SIP_INBOUND_MAX_IN_FLIGHT,
    limits: {
      maxMessageBytes: v.SIP_MAX_MESSAGE_BYTES,
      tcpIdleTimeoutMs: v.SIP_TCP_IDLE_TIMEOUT_MS,
      tcpIncompleteTimeoutMs: v.SIP_TCP_INCOMPLETE_TIMEOUT_MS,
      tcpMaxConnections: v.SIP_TCP_MAX_CONNECTIONS,
      tcpMaxConnectionsPerSource: v.SIP_TCP_MAX_CONNECTIONS_PER_SOURCE,
    },
  };
}

function deriveAllowedSources(v: Env, smsc: Config['sip']['smsc'] | undefined, problems: string[]): string[] {
  if (v.SIP_ALLOWED_SOURCES !== undefined) return collect('SIP_ALLOWED_SOURCES', parseCidrList(v.SIP_ALLOWED_SOURCES), problems);
  if (!smsc) return [];
  const block = smscSourceBlock(smsc);
  if (block) return [block];
  problems.push(`SIP_ALLOWED_SOURCES must be set: SMSC_URI names the host "${smsc.host}", not an IP address`);
  return [];
}

function deriveDrachtio(v: Env, problems: string[]): Config['sip']['drachtio'] {
  const url = v.DRACHTIO_URL;
  if (url === undefined) {
    if (v.SIP_STACK === 'drachtio') problems.push('SIP_STACK=drachtio requires DRACHTIO_URL');
    return undefined;
  }
  const checked = collect('DRACHTIO_URL', checkDrachtioUrl(url), problems);
  if (v.SIP_STACK === 'drachtio' && !checked.hasSecret && v.DRACHTIO_SECRET === undefined) {
    problems.push('SIP_STACK=drachtio requires a secret: in DRACHTIO_URL (drachtio://secret@host) or DRACHTIO_SECRET');
  }
  return v.SIP_STACK === 'drachtio' ? { url, secret: v.DRACHTIO_SECRET } : undefined;
}

function deriveSmpp(v: Env, problems: string[]): Pick<Config, 'routing' | 'smpp'> {
  const binds = v.SMPP_BINDS === undefined ? [] : collect('SMPP_BINDS', parseSmppBinds(v.SMPP_BINDS, { window: v.SMPP_WINDOW }), problems);
  if (v.SMSC_DEFAULT_ROUTE === 'smpp' && v.SMPP_BINDS === undefined) problems.push('SMSC_DEFAULT_ROUTE=smpp requires SMPP_BINDS');
  return {
    routing: { defaultRoute: v.SMSC_DEFAULT_ROUTE },
    smpp: {
      binds,
      longMessages: v.SMPP_LONG_MESSAGES,
      bodyEncoding: v.SMPP_BODY_ENCODING,
      requestTimeoutMs: v.SMPP_REQUEST_TIMEOUT_MS,
      enquireLinkS: v.SMPP_ENQUIRE_LINK_S,
      moDedupeS: v.SMPP_MO_DEDUPE_S,
    },
  };
}

function collect<T>(name: string, parsed: { value: T; problems: string[] }, problems: string[]): T {
  for (const problem of parsed.problems) problems.push(`${name}: ${problem}`);
  return parsed.value;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

function deriveNumberRewrite(v: Env, problems: string[]): RewriteRule[] {
  try {
    return parseRewriteRules(v.SMSC_NUMBER_REWRITE);
  } catch (error) {
    if (!(error instanceof RewriteRuleError)) throw error;
    problems.push(`SMSC_NUMBER_REWRITE: ${error.message}`);
    return [];
  }
}

