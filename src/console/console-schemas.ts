// Response schemas of the console's JSON endpoints. They are an internal contract between the service and its own
// console pages (hidden from openapi.json), but declared all the same: Fastify serialises through them, so a field
// not listed here never leaves the server. Dates are ISO 8601 here, for the browser's Date.
import { Type } from 'typebox';
import { Nullable } from '../api/schemas/common.js';
import { Message, MessageEvent } from '../api/schemas/message-schemas.js';

const IsoDate = Type.String({ description: 'ISO 8601' });

export const ConsoleSession = Type.Object({
  account_sid: Type.String(),
  friendly_name: Type.String(),
  via: Type.Union([Type.Literal('auth_token'), Type.Literal('api_key')]),
  key_sid: Nullable(Type.String()),
  /** Accounts this principal may act on: its own first, then its subaccounts. */
  accounts: Type.Array(Type.Object({ sid: Type.String(), friendly_name: Type.String(), status: Type.String() })),
});

const ProbeState = Type.Object({
  reachable: Nullable(Type.Boolean()),
  last_status: Nullable(Type.Integer()),
  last_reason: Nullable(Type.String()),
  last_probe_at: Nullable(IsoDate),
});

export const ConsoleOverview = Type.Object({
  now: IsoDate,
  minutes: Type.Integer(),
  per_minute: Type.Array(Type.Object({ minute: IsoDate, status: Type.String(), count: Type.Integer() })),
  queued: Type.Integer(),
  sending: Type.Integer(),
  errors: Type.Array(Type.Object({ code: Type.Integer(), message: Nullable(Type.String()), count: Type.Integer() })),
  failed_webhooks: Type.Integer(),
  unmatched_receipts: Type.Integer(),
  link: Nullable(Type.Object({
    default_route: Type.String(),
    sip: Type.Object({ transport_up: Type.Boolean(), probe: ProbeState }),
    smpp: Nullable(Type.Object({ bound: Type.Integer(), total: Type.Integer() })),
  })),
});

export const ConsoleMessageList = Type.Object({ messages: Type.Array(Message), limit: Type.Integer() });

const WebhookAttempt = Type.Object({
  attempt: Type.Integer(),
  url: Type.String(),
  http_status: Nullable(Type.Integer()),
  latency_ms: Type.Integer(),
  error_code: Nullable(Type.Integer()),
  error: Nullable(Type.String()),
  date_created: IsoDate,
});

export const WebhookDelivery = Type.Object({
  id: Type.String(),
  message_sid: Type.String(),
  kind: Type.String(),
  url: Type.String(),
  method: Type.String(),
  state: Type.String(),
  attempts: Type.Integer(),
  max_attempts: Type.Integer(),
  last_http_status: Nullable(Type.Integer()),
  last_error: Nullable(Type.String()),
  date_created: IsoDate,
  date_completed: Nullable(IsoDate),
  attempt_log: Type.Array(WebhookAttempt),
});

export const Receipt = Type.Object({
  id: Type.String(),
  source: Type.String(),
  raw_text: Type.String(),
  from: Type.String(),
  to: Type.String(),
  stat: Nullable(Type.String()),
  err: Nullable(Type.String()),
  message_sid: Nullable(Type.String()),
  match_attempts: Type.Integer(),
  next_match_at: Nullable(IsoDate),
  date_received: IsoDate,
});

export const ConsoleMessagePage = Type.Object({
  message: Message,
  events: Type.Array(MessageEvent),
  webhooks: Type.Array(WebhookDelivery),
  receipts: Type.Array(Receipt),
});

export const ReceiptList = Type.Object({ receipts: Type.Array(Receipt) });
export const WebhookList = Type.Object({ webhooks: Type.Array(WebhookDelivery) });
export const RedeliverResult = Type.Object({ requeued: Type.Boolean(), webhook: WebhookDelivery });
