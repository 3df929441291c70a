-- Auth tokens encrypted at rest (AES-256-GCM with AUTH_TOKEN_ENCRYPTION_KEY). The key is configuration, so this
-- SQL cannot encrypt anything: the rows are encrypted by the data step that runs after the SQL migrations at every
-- start (src/store/auth-token-encryption.ts), in place and idempotently. What the schema does is pin the stored
-- format, so that a value starting with the marker `enc:` is always a well-formed `enc:v1:<key id>:<iv>:<sealed>`
-- (8 hex digits, 12-byte IV and ciphertext + tag in base64) and never a token to be used as it is.
-- Hand-written: schema.prisma cannot express a CHECK constraint.

-- AddCheckConstraint
ALTER TABLE "accounts" ADD CONSTRAINT "accounts_auth_token_format_check"
  CHECK ("auth_token" NOT LIKE 'enc:%' OR "auth_token" ~ '^enc:v1:[0-9a-f]{8}:[A-Za-z0-9+/]{16}:[A-Za-z0-9+/]+={0,2}$');
