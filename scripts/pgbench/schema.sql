-- docs/scaling.md §2: a reduced model of the lean path (messages with their real hot columns and indexes, callback deliveries).
-- psql -h 127.0.0.1 -U postgres -c "CREATE DATABASE growth_bench"; psql -h 127.0.0.1 -U postgres growth_bench -f scripts/pgbench/schema.sql
DROP TABLE IF EXISTS m, d;
CREATE TABLE m (sid text PRIMARY KEY, account_sid text NOT NULL, from_address text, to_address text NOT NULL, body text NOT NULL,
  status text NOT NULL, direction text NOT NULL, next_attempt_at timestamptz, date_created timestamptz NOT NULL DEFAULT now(),
  date_updated timestamptz NOT NULL DEFAULT now(), date_sent timestamptz, smsc_result jsonb, receipt jsonb, attempts int NOT NULL DEFAULT 0,
  claimed_by text, claimed_until timestamptz) WITH (fillfactor = 85);
CREATE INDEX ON m (next_attempt_at) WHERE next_attempt_at IS NOT NULL;
CREATE INDEX ON m (account_sid, date_created DESC, sid DESC);
CREATE INDEX ON m (to_address, from_address, date_sent);
CREATE INDEX ON m (date_created, sid);
CREATE TABLE d (id bigserial PRIMARY KEY, message_sid text NOT NULL, url text NOT NULL, params jsonb NOT NULL, state text NOT NULL DEFAULT 'pending',
  attempts int NOT NULL DEFAULT 0, next_attempt_at timestamptz NOT NULL DEFAULT now(), date_created timestamptz NOT NULL DEFAULT now(),
  date_completed timestamptz, last_http_status int) WITH (fillfactor = 90);
CREATE INDEX ON d (message_sid, id) WHERE state = 'pending';
CREATE INDEX ON d (next_attempt_at, id) WHERE state = 'pending';
