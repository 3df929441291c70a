// `smsc-connect accounts create [--friendly-name NAME]`: create an account (migrating first, so it works on a
// fresh database) and print `{"sid": ..., "auth_token": ..., "friendly_name": ...}`. Logs go to stderr.
import { loadConfig } from '../config/index.js';
import { createLogger } from '../logging/index.js';
import { createAccount } from '../store/account-store.js';
import { openDatabase } from '../store/database.js';
import { prepareAuthTokens } from '../store/auth-token-encryption.js';
import { applyMigrations } from '../store/migrations.js';
import { EXIT, type CommandContext } from './command.js';

export async function accountsCreateCommand(context: CommandContext): Promise<number> {
  const config = loadConfig(context.env);
  const logger = createLogger({ level: config.log.level, destination: 2 });
  const friendlyName = context.options['friendly-name'];
  const { url, dataDir } = config.database;
  const opened = await openDatabase({ databaseUrl: url, dataDir, poolSize: 1 });
  try {
    await applyMigrations(opened);
    const db = await prepareAuthTokens({ db: opened, keys: config.authTokenEncryption, logger });
    const account = await createAccount(db, {
      friendlyName: typeof friendlyName === 'string' ? friendlyName : 'smsc-connect account',
    });
    logger.info({ accountSid: account.sid }, 'account created');
    const output = { sid: account.sid, auth_token: account.authToken, friendly_name: account.friendlyName };
    context.stdout.write(`${JSON.stringify(output)}\n`);
    return EXIT.ok;
  } finally {
    await opened.close();
  }
}
