// The composition root of `smsc-connect serve`: config → logger → database (migrated, seeded) → messaging
// pipeline (SIP, dispatcher, webhooks, sweepers; see messaging-service.ts) → app → listen.
// Adapters are wired here by hand, in start order; close() stops them in reverse. Tests call start() in-process.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import type { Config } from './config/index.js';
import { componentLogger, createLogger, type Logger } from './logging/index.js';
import { ensureAccount, storedAuthToken } from './store/account-store.js';
import { prepareAuthTokens } from './store/auth-token-encryption.js';
import { openDatabase, type Database } from './store/database.js';
import { applyMigrations } from './store/migrations.js';
import { newSecret, newSid } from './messaging/sid.js';
import { startMessaging, type Messaging } from './messaging-service.js';
import { registerOperationsRoutes } from './api/operations-routes.js';
import { createHttpMetrics } from './metrics/http-metrics.js';
import { formatSipListen } from './sip/native/index.js';
import type { SipListenAddress } from './sip/port.js';

export interface RunningService {
  app: FastifyInstance;
  db: Database;
  logger: Logger;
  /** Base URL of the HTTP API, with the real port when PORT=0. */
  url: string;
  /** The SIP addresses we listen on (real ports when SIP_LISTEN used port 0). */
  sipAddresses: SipListenAddress[];
  messaging: Messaging;
  /** Stops taking new work, finishes or releases what is in flight, closes listeners and the database. Idempotent. */
  close(): Promise<void>;
}

export interface StartOptions {
  config: Config;
  /** Defaults to a stdout logger at config.log.level. */
  logger?: Logger;
  /** How long close() lets SIP sends and webhook calls in flight finish before releasing them; default SHUTDOWN_DRAIN_MS. */
  drainMs?: number;
}

export async function start(options: StartOptions): Promise<RunningService> {
  const { config } = options;
  const logger = options.logger ?? createLogger({ level: config.log.level });
  const db = await openMigratedDatabase({ config, logger });
  const closers: Array<() => Promise<void>> = [() => db.close()];
  const close = once(async () => {
    for (const closer of closers.reverse()) await closer();
    logger.info('stopped');
  });
  try {
    await seedAccount({ db, config, logger: componentLogger(logger, 'accounts') });
    const apiDb = await openApiDatabase({ config, logger, db });
    if (apiDb !== db) closers.push(() => apiDb.close());
    logger.info({ sipStack: config.sip.stack, smppBinds: config.smpp.binds.length }, 'starting SIP, SMPP and the message pipeline');
    const messaging = await startMessaging({ db, apiDb, config, logger });
    closers.push(() => messaging.close(options.drainMs ?? config.http.shutdownDrainMs));
    const app = await buildApp({
      db: apiDb,
      logger,
      config: {
        apiRateLimit: config.api.rateLimit,
        allowPrivateWebhookUrls: config.webhooks.allowPrivateUrls,
        restcommXHeaderDeny: config.api.restcommXHeaderDeny,
        scheduleWindow: config.api.schedule,
      },
      messageWriter: messaging.messageWriter,
      httpMetrics: createHttpMetrics(messaging.operations.registry),
      extraRoutes: (instance) => registerOperationsRoutes(instance, messaging.operations),
      smscLink: messaging.smscLink,
    });
    // Closed first (closers run in reverse): no new API work while the pipeline drains.
    closers.push(() => app.close());
    const url = await app.listen({ host: config.http.host, port: config.http.port });
    const sipAddresses = messaging.sip.boundAddresses();
    // `url` stays the bare base URL: scripts and tests read it. The console is served at / (src/console).
    logger.info(
      { url, api: `${url}/2010-04-01`, docs: `${url}/docs`, console: `${url}/`, sip: sipAddresses.map(formatSipListen), database: db.kind },
      'smsc-connect is listening',
    );
    return { app, db, logger, url, sipAddresses, messaging, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * Opens the configured database, applies pending migrations and the auth token step (encrypts plain tokens when
 * AUTH_TOKEN_ENCRYPTION_KEY is set, warns when it is not). `smsc-connect migrate` does the same alone.
 * Each stage is logged as it starts or ends: creating a PGlite database on the first start takes several seconds.
 */
export async function openMigratedDatabase(options: { config: Config; logger: Logger }): Promise<Database> {
  const { database } = options.config;
  const log = componentLogger(options.logger, 'database');
  const opening = Date.now();
  log.info(describeDatabase(database), isNewPgliteFolder(database) ? 'creating the embedded database (first start: a few seconds)' : 'opening the database');
  const db = await openDatabase({
    databaseUrl: database.url, dataDir: database.dataDir, poolSize: database.poolSize, maxStatementNames: database.namedStatements,
    onConnectionError: connectionErrorLogger(options.logger, 'background'),
  });
  log.info({ database: db.kind, ms: Date.now() - opening }, 'database open');
  try {
    const migrating = Date.now();
    const result = await applyMigrations(db);
    componentLogger(options.logger, 'migrations').info(
      { applied: result.applied, alreadyApplied: result.alreadyApplied.length, database: db.kind, ms: Date.now() - migrating },
      'migrations up to date',
    );
    return await prepareAuthTokens({ db, keys: options.config.authTokenEncryption, logger: options.logger });
  } catch (error) {
    await db.close();
    throw error;
  }
}

/** What the log may say about the database: PostgreSQL's host and database name (never its credentials), or the folder. */
function describeDatabase(database: Config['database']): Record<string, unknown> {
  if (database.url === undefined) return { database: 'pglite', dataDir: database.dataDir };
  const url = new URL(database.url);
  return { database: 'postgres', host: url.host, name: url.pathname.slice(1) };
}

function isNewPgliteFolder(database: Config['database']): boolean {
  return database.url === undefined && !database.dataDir.startsWith('memory://') && !existsSync(join(database.dataDir, 'PG_VERSION'));
}

/**
 * The API's own handle on PostgreSQL: connections whose sessions carry statement_timeout and lock_timeout
 * (API_STATEMENT_TIMEOUT_MS), so that a request meeting a lock or a stalled server is answered 503 in bounded
 * time instead of hanging, while the background loops (dispatcher, webhooks, sweepers, migrations) keep waiting
 * as long as they must on theirs. Half the pool size, at least 2. PGlite has one connection: the API shares it.
 */
async function openApiDatabase(options: { config: Config; logger: Logger; db: Database }): Promise<Database> {
  const { database, api } = options.config;
  if (options.db.kind !== 'postgres') return options.db;
  const apiDb = await openDatabase({
    databaseUrl: database.url, dataDir: database.dataDir, poolSize: Math.max(2, Math.ceil(database.poolSize / 2)),
    maxStatementNames: database.namedStatements,
    statementTimeoutMs: api.statementTimeoutMs,
    onConnectionError: connectionErrorLogger(options.logger, 'api'),
  });
  // The API reads and writes auth tokens too (sign-in, new subaccounts): it opens them with the same cipher.
  const { authTokens } = options.db;
  return authTokens === undefined ? apiDb : { ...apiDb, authTokens };
}

function connectionErrorLogger(logger: Logger, pool: string): (error: Error) => void {
  const log = componentLogger(logger, 'database');
  return (error) => log.warn({ err: error, pool }, 'database connection lost; the pool opens a new one when needed');
}

/**
 * Resolves with the first SIGTERM/SIGINT. Call it before start(), so that a signal arriving during start-up is
 * not lost (the caller closes the service once start() returns). A second signal exits at once.
 */
export function shutdownSignal(options: { logger?: Logger } = {}): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    let received = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (received) {
        options.logger?.warn({ signal }, 'second signal: exiting without waiting for the shutdown');
        process.exit(1);
      }
      received = true;
      resolve(signal);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}

// Seeding: ACCOUNT_SID/AUTH_TOKEN win; otherwise a fresh installation gets one account, announced once.
async function seedAccount(options: { db: Database; config: Config; logger: Logger }): Promise<void> {
  const { db, config, logger } = options;
  if (config.mainAccount) {
    await ensureAccount(db, config.mainAccount);
    logger.info({ accountSid: config.mainAccount.sid }, 'main account from ACCOUNT_SID/AUTH_TOKEN is ready');
    return;
  }
  const created = await createFirstAccount(db);
  if (!created) {
    logger.info('an account exists: none created');
    return;
  }
  // The token goes in the message on purpose: it is shown this once, and the redaction rules would hide a field.
  logger.warn(
    { accountSid: created.sid },
    `No account was configured, so one was created. Account SID: ${created.sid}  Auth token: ${created.authToken}  ` +
      '(shown only now; set ACCOUNT_SID and AUTH_TOKEN to choose your own)',
  );
}

/** Creates an account only if there is none. The transaction-scoped lock keeps two instances starting at once on
 *  the same PostgreSQL from both creating one. */
async function createFirstAccount(db: Database): Promise<{ sid: string; authToken: string } | undefined> {
  return db.transaction(async (query) => {
    if (db.kind === 'postgres') await query('SELECT pg_advisory_xact_lock($1)', [72707370]);
    const [row] = await query<{ n: number }>('SELECT count(*)::int AS n FROM accounts');
    if ((row?.n ?? 0) > 0) return undefined;
    const account = { sid: newSid('AC'), authToken: newSecret() };
    await query('INSERT INTO accounts (sid, friendly_name, auth_token) VALUES ($1, $2, $3)', [
      account.sid,
      'Main account',
      storedAuthToken(db, account.sid, account.authToken),
    ]);
    return account;
  });
}

function once(work: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => (running ??= work());
}
