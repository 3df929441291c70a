-- docs/scaling.md §2: one retention-style batch (1,000 oldest messages and their callback deliveries).
-- Run after the life.sql runs, with: CREATE INDEX ON d (message_sid); VACUUM ANALYZE m; VACUUM ANALYZE d;
WITH doomed AS MATERIALIZED (SELECT sid FROM m WHERE date_created < now() ORDER BY date_created, sid LIMIT 1000 FOR UPDATE SKIP LOCKED),
dd AS (DELETE FROM d USING doomed WHERE d.message_sid = doomed.sid RETURNING 1)
DELETE FROM m USING doomed WHERE m.sid = doomed.sid;
