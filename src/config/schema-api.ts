// The HTTP side: request throttling, and how webhooks and status callbacks reach the customer's application.
import Type from 'typebox';

export const apiSchema = {
  API_RATE_LIMIT: Type.Number({
    minimum: 0,
    default: 0,
    description: 'Most API requests per second per account (answered 429 / 20429 beyond); `0` turns the limit off.',
  }),
  API_STATEMENT_TIMEOUT_MS: Type.Integer({
    minimum: 100,
    maximum: 600_000,
    default: 5_000,
    description:
      'Longest an API request\'s database statement may run, wait for a lock or wait for a connection (PostgreSQL ' +
      '`statement_timeout` and `lock_timeout` on the API\'s own connections). Beyond it the request is answered ' +
      '503 / 20503 and nothing was written; a create whose commit was cut off by a lost connection is checked again ' +
      'for up to this long before it is answered (docs/faults.md). `/readyz` is ready when a probe write commits within this bound.',
  }),
  RESTCOMM_X_HEADER_DENY: Type.String({
    default: '',
    description:
      'Comma-separated X- header names a RestComm-API send may not set (form fields `X-…` become SIP headers on the ' +
      'MESSAGE; docs/restcomm.md). A request naming one is refused with 400; in an app\'s HTTP answer it is not ' +
      'carried onto the `<Sms>` reply. Case-insensitive.',
  }),
  WEBHOOK_TIMEOUT_MS: Type.Integer({
    minimum: 100,
    maximum: 120_000,
    default: 15_000,
    description: 'Total time allowed for one webhook or status-callback request (Twilio waits 15 s).',
  }),
  WEBHOOK_CONCURRENCY: Type.Integer({
    minimum: 1,
    maximum: 10_000,
    default: 256,
    description:
      'Webhook and status-callback requests in flight at once per instance. Each delivered message takes two ' +
      'callbacks (sent, delivered), one after the other, so this bounds the callback rate to about ' +
      '`WEBHOOK_CONCURRENCY / round-trip time`.',
  }),
  WEBHOOK_MAX_ATTEMPTS: Type.Integer({
    minimum: 0,
    maximum: 10_000,
    default: 0,
    description:
      'Attempts per webhook or status callback (first try included) before it is given up; `0` = no limit, ' +
      'retry until `WEBHOOK_RETRY_DEADLINE_S`. The schedule is in docs/webhooks.md.',
  }),
  WEBHOOK_RETRY_DEADLINE_S: Type.Integer({
    minimum: 1,
    default: 3600,
    description:
      'Seconds after its creation that an undelivered webhook is still retried; the last attempt is made at the ' +
      'deadline at the latest, then the webhook is given up.',
  }),
  WEBHOOK_RETRY_BASE_DELAY_MS: Type.Integer({
    minimum: 10,
    maximum: 3_600_000,
    default: 1000,
    description:
      'Wait after the first failed attempt of a webhook (random between half and all of it); it doubles with ' +
      'each further failure up to `WEBHOOK_RETRY_MAX_DELAY_S`.',
  }),
  WEBHOOK_RETRY_MAX_DELAY_S: Type.Integer({
    minimum: 1,
    maximum: 86_400,
    default: 60,
    description:
      'Longest wait between two attempts of a webhook: while the app is down each webhook is tried at least once ' +
      'per this many seconds, so it arrives at most this long after the app is back.',
  }),
  WEBHOOK_ALLOW_PRIVATE_URLS: Type.Boolean({
    default: true,
    description:
      'Allow webhook URLs on loopback and private networks. Set `false` on hosted deployments, so that customers ' +
      'cannot reach internal services.',
  }),
  SCHEDULE_MIN_LEAD_S: Type.Integer({
    minimum: 0,
    default: 300,
    description:
      'A scheduled message (`ScheduleType=fixed`) must have its `SendAt` more than this many seconds ahead, else ' +
      '35114 (Twilio: 300).',
  }),
  SCHEDULE_MAX_LEAD_S: Type.Integer({
    minimum: 1,
    default: 3_024_000,
    description: 'Latest `SendAt` of a scheduled message, in seconds from the request (Twilio: 35 days = 3024000); later is 35114.',
  }),
};
