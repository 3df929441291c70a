// Core variables: where the API listens, where the data lives, how much it logs, and the seeded main account.
import Type from 'typebox';

export const coreSchema = {
  HOST: Type.String({
    minLength: 1,
    default: '127.0.0.1',
    description: 'Address the HTTP API listens on. Use `0.0.0.0` (or `::`) to accept connections from other hosts.',
  }),
  PORT: Type.Integer({
    minimum: 0,
    maximum: 65535,
    default: 8080,
    description: 'TCP port of the HTTP API. `0` picks a free port (the log says which).',
  }),
  SHUTDOWN_DRAIN_MS: Type.Integer({
    minimum: 0,
    maximum: 600_000,
    default: 10_000,
    description:
      'On SIGTERM/SIGINT, how long SIP sends and webhook calls already in flight may finish before their claims are ' +
      'released back to the database for another instance (or the next start).',
  }),
  LOG_LEVEL: Type.Enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
    default: 'info',
    description: 'Least severe level written to stdout (JSON lines). Full SIP/SMPP bodies appear only at `debug`.',
  }),
  DATABASE_URL: Type.Optional(
    Type.String({
      'x-secret': true,
      description:
        'PostgreSQL connection URL (`postgresql://user:pass@host:5432/db`). Unset: an embedded PGlite database ' +
        'stored in `DATA_DIR`.',
    }),
  ),
  DATA_DIR: Type.String({
    minLength: 1,
    default: './data',
    description:
      'Folder of the embedded PGlite database, used only when `DATABASE_URL` is unset. `memory://` keeps it in memory.',
  }),
  DATABASE_POOL_SIZE: Type.Integer({
    minimum: 1,
    maximum: 1000,
    default: 20,
    description:
      'Connections this instance keeps open to PostgreSQL (ignored for PGlite, which has one). Under load about 14 ' +
      'transactions run at once: API creates, receipts and inbound SMS (two group commits each), the dispatcher\'s ' +
      'and the webhook worker\'s claims and outcome writes, the sweepers. The HTTP API has a pool of its own beside ' +
      'it, half this size (at least 2), whose statements are bounded by `API_STATEMENT_TIMEOUT_MS`.',
  }),
  DATABASE_NAMED_STATEMENTS: Type.Integer({
    minimum: 0,
    maximum: 10000,
    default: 256,
    description:
      'How many distinct SQL texts of the raw hot path become named prepared statements, parsed and planned once ' +
      'per connection instead of at every call (PostgreSQL only). `0` sends every statement unnamed: needed behind ' +
      'PgBouncer in transaction mode older than 1.21 or without `max_prepared_statements`.',
  }),
  ACCOUNT_SID: Type.Optional(
    Type.String({
      pattern: '^AC[0-9a-f]{32}$',
      description:
        'SID of the main account (`AC` + 32 lowercase hex digits). With `AUTH_TOKEN`, this account exists with ' +
        'that token after every start. Without both, the first start creates an account and logs its credentials once.',
    }),
  ),
  AUTH_TOKEN: Type.Optional(
    Type.String({
      'x-secret': true,
      minLength: 16,
      pattern: '^\\S+$',
      description:
        'Auth token of the main account (at least 16 characters, no spaces); set together with `ACCOUNT_SID`. ' +
        'Changing it rotates the token at the next start.',
    }),
  ),
  AUTH_TOKEN_ENCRYPTION_KEY: Type.Optional(
    Type.String({
      'x-secret': true,
      description:
        'Key that encrypts the accounts\' auth tokens at rest (AES-256-GCM): 32 random bytes as 64 hex digits or base64 ' +
        '(`openssl rand -base64 32`). At start every token still in plain text is encrypted with it. Unset: tokens ' +
        'are stored in plain text and the start logs a warning. Keep it outside the database and its backups; ' +
        'without it the encrypted tokens cannot be read (the service refuses to start). See docs/security.md.',
    }),
  ),
  AUTH_TOKEN_ENCRYPTION_KEY_PREVIOUS: Type.Optional(
    Type.String({
      'x-secret': true,
      description:
        'The key `AUTH_TOKEN_ENCRYPTION_KEY` replaces, during a key rotation: tokens encrypted with it are still read ' +
        'and are re-encrypted with the new key at start. Remove it once every instance runs with the new key.',
    }),
  ),
};
