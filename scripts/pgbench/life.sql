-- docs/scaling.md §2: one batch of B outbound messages through accept, send, receipt (+ callback enqueued), callback done.
-- 5 rows per message, 4 commits per batch of B; set B to 1, 10 or 50.
\set B 10
\set k random(1, 1000000000)
BEGIN;
INSERT INTO m (sid, account_sid, from_address, to_address, body, status, direction, next_attempt_at)
  SELECT 'SM' || md5(:k::text || '-' || g), 'AC0123456789abcdef0123456789abcdef', '+15550001', '+1666' || (:k + g), 'hello from the bench, a typical short message body', 'queued', 'outbound-api', now()
  FROM generate_series(1, :B) g;
COMMIT;
BEGIN;
UPDATE m SET status = 'sent', next_attempt_at = NULL, date_sent = now(), attempts = 1, smsc_result = '{"code":202}'
  WHERE sid IN (SELECT 'SM' || md5(:k::text || '-' || g) FROM generate_series(1, :B) g);
COMMIT;
BEGIN;
UPDATE m SET status = 'delivered', receipt = '{"stat":"DELIVRD","err":"000","source":"sip"}', date_updated = now()
  WHERE sid IN (SELECT 'SM' || md5(:k::text || '-' || g) FROM generate_series(1, :B) g);
INSERT INTO d (message_sid, url, params) SELECT 'SM' || md5(:k::text || '-' || g), 'http://127.0.0.1:9/cb',
  '{"MessageStatus":"delivered","MessageSid":"x","AccountSid":"AC0123456789abcdef0123456789abcdef","To":"+15550002","From":"+15550001"}' FROM generate_series(1, :B) g;
COMMIT;
BEGIN;
UPDATE d SET state = 'succeeded', attempts = 1, date_completed = now(), last_http_status = 200
  WHERE message_sid IN (SELECT 'SM' || md5(:k::text || '-' || g) FROM generate_series(1, :B) g) AND state = 'pending';
COMMIT;
