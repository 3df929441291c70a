// The console's JSON endpoints, under /console/api. They are registered INSIDE the Twilio API plugin
// (register-api.ts), so the same hook authenticates them (HTTP Basic: AccountSid:AuthToken or SK…:secret) and
// applies the same account rule to the {AccountSid} in their path: a principal reaches its own account and its
// subaccounts, never a parent or a sibling (401/20003), and a resource of another account is 404/20404.
// Hidden from openapi.json: they serve these pages, not integrators, and may change with them.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { AppError } from '../errors/app-error.js';
import { MESSAGE_STATUSES } from '../messaging/message-status.js';
import { listVisibleAccounts } from '../store/account-store.js';
import {
  accountOverview, listFailedWebhooks, listUnmatchedReceipts, messageHistory, redeliverWebhook, searchMessages,
  type ReceiptRecord, type WebhookDeliveryRecord,
} from '../store/console-store.js';
import { findMessage, listMessageEvents } from '../store/message-store.js';
import { pathAccount, requirePrincipal, type ApiDeps } from '../api/api-deps.js';
import { parseDateFilter } from '../api/date-filter.js';
import { pathOf } from '../api/error-handler.js';
import { presentMessage, presentMessageEvent } from '../api/presenters.js';
import { AccountParams, AccountSid, errorResponses, MessageSid } from '../api/schemas/common.js';
import {
  ConsoleMessageList, ConsoleMessagePage, ConsoleOverview, ConsoleSession, ReceiptList, RedeliverResult, WebhookList,
} from './console-schemas.js';
import type { SmscLinkSource } from './smsc-link.js';

export const CONSOLE_API_PREFIX = '/console/api';
const base = `${CONSOLE_API_PREFIX}/Accounts/:AccountSid`;
const OVERVIEW_MINUTES = 60;
const LIST_LIMIT = 50;
const DAY_MS = 86_400_000;
const hide = { hide: true, tags: ['Console'] };

const SearchQuery = Type.Object({
  Sid: Type.Optional(Type.String()),
  Number: Type.Optional(Type.String({ description: 'To or From, with or without "+"' })),
  Status: Type.Optional(Type.String()),
  Date: Type.Optional(Type.String({ description: 'The GMT day messages were created (YYYY-MM-DD)' })),
});

export interface ConsoleApiDeps {
  db: ApiDeps['db'];
  /** Absent when the app runs without the messaging pipeline (API tests): the overview then shows no link. */
  smscLink?: SmscLinkSource | undefined;
}

export function registerConsoleApi(app: FastifyInstance, deps: ConsoleApiDeps): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const { db } = deps;

  // Who signed in, and which accounts the account picker may offer (the Accounts list's rule).
  api.get(`${CONSOLE_API_PREFIX}/session`, {
    schema: { ...hide, operationId: 'ConsoleSession', response: { 200: ConsoleSession, ...errorResponses(401, 429) } },
  }, async (request) => {
    const principal = requirePrincipal(request);
    const accounts = principal.isMainAccount
      ? await listVisibleAccounts(db, { accountSid: principal.accountSid, offset: 0, limit: 200 })
      : [principal.account];
    accounts.sort((a, b) => Number(b.sid === principal.accountSid) - Number(a.sid === principal.accountSid));
    return {
      account_sid: principal.accountSid,
      friendly_name: principal.account.friendlyName,
      via: principal.via,
      key_sid: principal.keySid ?? null,
      accounts: accounts.map((a) => ({ sid: a.sid, friendly_name: a.friendlyName, status: a.status })),
    };
  });

  api.get(`${base}/overview`, {
    schema: {
      ...hide, operationId: 'ConsoleOverview', params: AccountParams,
      response: { 200: ConsoleOverview, ...errorResponses(401, 429) },
    },
  }, async (request) => {
    const account = pathAccount(request);
    const overview = await accountOverview(db, { accountSid: account.sid, minutes: OVERVIEW_MINUTES });
    const link = deps.smscLink?.() ?? null;
    return {
      now: new Date().toISOString(),
      minutes: OVERVIEW_MINUTES,
      per_minute: overview.perMinute.map((row) => ({ minute: row.minute.toISOString(), status: row.status, count: row.count })),
      queued: overview.queued,
      sending: overview.sending,
      errors: overview.errors,
      failed_webhooks: overview.failedWebhooks,
      unmatched_receipts: overview.unmatchedReceipts,
      link: link && {
        default_route: link.defaultRoute,
        sip: {
          transport_up: link.sip.transportUp,
          probe: {
            reachable: link.sip.probe.reachable,
            last_status: link.sip.probe.lastStatus,
            last_reason: link.sip.probe.lastReason,
            last_probe_at: link.sip.probe.lastProbeAt?.toISOString() ?? null,
          },
        },
        smpp: link.smpp,
      },
    };
  });

  api.get(`${base}/messages`, {
    schema: {
      ...hide, operationId: 'ConsoleSearchMessages', params: AccountParams, querystring: SearchQuery,
      response: { 200: ConsoleMessageList, ...errorResponses(400, 401, 429) },
    },
  }, async (request) => {
    const account = pathAccount(request);
    const q = request.query;
    const day = q.Date === undefined || q.Date === '' ? undefined : dayOf(q.Date);
    const status = blankToUndefined(q.Status);
    if (status !== undefined && !(MESSAGE_STATUSES as readonly string[]).includes(status)) {
      throw new AppError('invalidParameter', { name: 'Status', reason: `'${status}' is not a message status` });
    }
    const rows = await searchMessages(db, {
      accountSid: account.sid, sid: blankToUndefined(q.Sid), number: blankToUndefined(q.Number), status,
      createdFrom: day, createdBefore: day && new Date(day.getTime() + DAY_MS), limit: LIST_LIMIT,
    });
    return { messages: rows.map(presentMessage), limit: LIST_LIMIT };
  });

  api.get(`${base}/messages/:Sid`, {
    schema: {
      ...hide, operationId: 'ConsoleFetchMessage', params: Type.Object({ AccountSid, Sid: MessageSid }),
      response: { 200: ConsoleMessagePage, ...errorResponses(401, 404, 429) },
    },
  }, async (request) => {
    const target = { accountSid: pathAccount(request).sid, sid: request.params.Sid };
    const [message, events, history] = await Promise.all([
      findMessage(db, target), listMessageEvents(db, target), messageHistory(db, target),
    ]);
    if (!message || !events || !history) throw new AppError('notFound', { path: pathOf(request) });
    return {
      message: presentMessage(message),
      events: events.map(presentMessageEvent),
      webhooks: history.deliveries.map(presentDelivery),
      receipts: history.receipts.map(presentReceipt),
    };
  });

  api.get(`${base}/receipts/unmatched`, {
    schema: {
      ...hide, operationId: 'ConsoleListUnmatchedReceipts', params: AccountParams,
      response: { 200: ReceiptList, ...errorResponses(401, 429) },
    },
  }, async (request) => {
    const receipts = await listUnmatchedReceipts(db, { accountSid: pathAccount(request).sid, limit: LIST_LIMIT });
    return { receipts: receipts.map(presentReceipt) };
  });

  api.get(`${base}/webhooks/failed`, {
    schema: {
      ...hide, operationId: 'ConsoleListFailedWebhooks', params: AccountParams,
      response: { 200: WebhookList, ...errorResponses(401, 429) },
    },
  }, async (request) => {
    const webhooks = await listFailedWebhooks(db, { accountSid: pathAccount(request).sid, limit: LIST_LIMIT });
    return { webhooks: webhooks.map(presentDelivery) };
  });

  api.post(`${base}/webhooks/:Id/redeliver`, {
    schema: {
      ...hide, operationId: 'ConsoleRedeliverWebhook',
      params: Type.Object({ AccountSid, Id: Type.String({ pattern: '^[0-9]{1,18}$' }) }),
      response: { 200: RedeliverResult, ...errorResponses(401, 404, 429) },
    },
  }, async (request) => {
    const principal = requirePrincipal(request);
    const result = await redeliverWebhook(db, {
      accountSid: pathAccount(request).sid, id: request.params.Id, principal: principal.keySid ?? principal.accountSid,
    });
    if (result.outcome === 'not_found') throw new AppError('notFound', { path: pathOf(request) });
    return { requeued: result.outcome === 'requeued', webhook: presentDelivery(result.delivery) };
  });
}

function blankToUndefined(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}

function dayOf(text: string): Date {
  const interval = parseDateFilter(text);
  if (!interval) throw new AppError('invalidParameter', { name: 'Date', reason: `'${text}' is not a date (use YYYY-MM-DD)` });
  return new Date(Math.floor(interval.start.getTime() / DAY_MS) * DAY_MS);
}

function presentDelivery(d: WebhookDeliveryRecord) {
  return {
    id: d.id, message_sid: d.messageSid, kind: d.kind, url: d.url, method: d.method, state: d.state,
    attempts: d.attempts, max_attempts: d.maxAttempts, last_http_status: d.lastHttpStatus, last_error: d.lastError,
    date_created: d.dateCreated.toISOString(), date_completed: d.dateCompleted?.toISOString() ?? null,
    attempt_log: d.attemptLog.map((a) => ({
      attempt: a.attempt, url: a.url, http_status: a.httpStatus, latency_ms: a.latencyMs, error_code: a.errorCode,
      error: a.error, date_created: a.dateCreated.toISOString(),
    })),
  };
}

function presentReceipt(r: ReceiptRecord) {
  return {
    id: r.id, source: r.source, raw_text: r.rawText, from: r.fromAddress, to: r.toAddress, stat: r.stat, err: r.err,
    message_sid: r.messageSid, match_attempts: r.matchAttempts, next_match_at: r.nextMatchAt?.toISOString() ?? null,
    date_received: r.dateReceived.toISOString(),
  };
}
