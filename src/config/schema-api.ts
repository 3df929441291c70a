// The HTTP side: request throttling, and how webhooks and status callbacks reach the customer's application.
import Type from 'typebox';

export const apiSchema = {
  API_RATE_LIMIT: Type.Number({
    minimum: 0,
    default: 0,
    description: 'Most API requests per second per account (answered 429 / 20429 beyond); `0` turns the limit off.',
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
    minimum: 1,
    maximum: 100,
    default: 5,
    description: 'Attempts per webhook delivery (first try included) before it is given up.',
  }),
  WEBHOOK_RETRY_DEADLINE_S: Type.Integer({
    minimum: 1,
    default: 3600,
    description: 'Seconds after which an undelivered webhook is given up, whatever the attempts left.',
  }),
  WEBHOOK_ALLOW_PRIVATE_URLS: Type.Boolean({
    default: true,
    description:
      'Allow webhook URLs on loopback and private networks. Set `false` on hosted deployments, so that customers ' +
      'cannot reach internal services.',
  }),
};
