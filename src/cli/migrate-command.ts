// `smsc-connect migrate`: apply pending migrations to the configured database (PostgreSQL or PGlite) and exit.
// Prints `{"applied": [...], "alreadyApplied": [...]}`; logs go to stderr.
import { loadConfig } from '../config/index.js';
import { createLogger } from '../logging/index.js';
import { openDatabase } from '../store/database.js';
import { prepareAuthTokens } from '../store/auth-token-encryption.js';
import { applyMigrations } from '../store/migrations.js';
import { EXIT, type CommandContext } from './command.js';

export async function migrateCommand(context: CommandContext): Promise<number> {
  const config = loadConfig(context.env);
  const logger = createLogger({ level: config.log.level, destination: 2 });
  const { url, dataDir, poolSize } = config.database;
  const db = await openDatabase({ databaseUrl: url, dataDir, poolSize: Math.min(poolSize, 2) });
  try {
    const result = await applyMigrations(db);
    // The data step of the auth token encryption: the key is configuration, so no SQL migration can do it.
    await prepareAuthTokens({ db, keys: config.authTokenEncryption, logger });
    logger.info({ database: db.kind, applied: result.applied }, 'migrations up to date');
    context.stdout.write(`${JSON.stringify(result)}\n`);
    return EXIT.ok;
  } finally {
    await db.close();
  }
}
