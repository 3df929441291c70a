// The Messages resource: create (201), list (keyset pages), fetch, update (redact / cancel), delete (204), and
// our Events extension listing what happened to a message.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { AppError } from '../../errors/app-error.js';
import { createOutboundMessage } from '../../messaging/create-message.js';
import { cancelMessage, deleteMessage, findMessage, listMessageEvents, listMessages, redactMessage } from '../../store/message-store.js';
import { createServiceMessagePort } from '../../store/service-message-store.js';
import { pathAccount, type ApiDeps } from '../api-deps.js';
import { messagesPath } from '../api-paths.js';
import { parseDateFilter, type DateInterval } from '../date-filter.js';
import type { EmptyFieldsRouteConfig } from '../empty-parameters.js';
import { pathOf, type ErrorRouteConfig } from '../error-handler.js';
import { buildPage, planPage } from '../paging.js';
import { presentMessage, presentMessageEvent } from '../presenters.js';
import { AccountParams, AccountSid, errorResponses, MessageSid, PageEnvelope, PagingQuery } from '../schemas/common.js';
import {
  CreateMessageBody, ListMessageQuery, Message, MessageEventList, MessagePage, UpdateMessageBody,
} from '../schemas/message-schemas.js';

const MessageParams = Type.Object({ AccountSid, Sid: MessageSid });
const tags = ['Messages'];
const MediaPage = PageEnvelope('media_list', Type.Object({ sid: Type.String(), content_type: Type.String(), uri: Type.String() }));
const DAY_MS = 86_400_000;
const consumes = ['application/x-www-form-urlencoded', 'application/json'];
const base = '/2010-04-01/Accounts/:AccountSid/Messages';

export function registerMessageRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const { db } = deps;
  const services = createServiceMessagePort(db);

  api.post(`${base}.json`, {
    schema: {
      operationId: 'CreateMessage', tags, summary: 'Send a message (queued for the SMSC; accepted or scheduled through a Messaging Service)', consumes,
      params: AccountParams, body: CreateMessageBody,
      response: { 201: Message, ...errorResponses(400, 401, 404, 415, 429, 503) },
    },
    config: {
      missingBodyError: 'toRequired', emptyFormFieldsAreAbsent: true,
    } satisfies ErrorRouteConfig & EmptyFieldsRouteConfig,
  }, async (request, reply) => {
    const account = pathAccount(request);
    const message = await createOutboundMessage({
      accountSid: account.sid, params: request.body, writer: deps.writer, senders: deps.senders, services,
      allowPrivateUrls: deps.allowPrivateWebhookUrls, scheduleWindow: deps.scheduleWindow,
    });
    request.messageSid = message.sid;
    return reply.status(201).send(presentMessage(message));
  });

  api.get(`${base}.json`, {
    schema: {
      operationId: 'ListMessage', tags, summary: 'List messages, newest first',
      params: AccountParams, querystring: ListMessageQuery,
      response: { 200: MessagePage, ...errorResponses(400, 401, 429) },
    },
  }, async (request) => {
    const account = pathAccount(request);
    const q = request.query;
    const window = dateWindow(q.DateSent, q['DateSent>'], q['DateSent<']);
    const plan = planPage(q, 'SM');
    const rows = await listMessages(db, {
      accountSid: account.sid, to: q.To, from: q.From, ...window,
      position: plan.position, offset: plan.offset, limit: plan.limit,
    });
    const page = buildPage({
      path: `${messagesPath(account.sid)}.json`,
      filters: [['To', q.To], ['From', q.From], ['DateSent', q.DateSent], ['DateSent<', q['DateSent<']], ['DateSent>', q['DateSent>']]],
      plan, rows,
    });
    return { messages: page.records.map(presentMessage), ...page.meta };
  });

  api.get(`${base}/:Sid.json`, {
    schema: {
      operationId: 'FetchMessage', tags, summary: 'Fetch a message',
      params: MessageParams, response: { 200: Message, ...errorResponses(401, 404, 429) },
    },
  }, async (request) => {
    const message = await findMessage(db, { accountSid: pathAccount(request).sid, sid: request.params.Sid });
    if (!message) throw new AppError('notFound', { path: pathOf(request) });
    return presentMessage(message);
  });

  api.post(`${base}/:Sid.json`, {
    schema: {
      operationId: 'UpdateMessage', tags, summary: 'Redact (Body="") a finished message or cancel (Status=canceled) a queued one', consumes,
      params: MessageParams, body: UpdateMessageBody,
      response: { 200: Message, ...errorResponses(400, 401, 404, 429) },
    },
  }, async (request) => {
    const target = { accountSid: pathAccount(request).sid, sid: request.params.Sid };
    const action = updateAction(request.body ?? {});
    const result = action === 'redact' ? await redactMessage(db, target) : await cancelMessage(db, target);
    if (result.outcome === 'not_found') throw new AppError('notFound', { path: pathOf(request) });
    if (result.outcome === 'refused') {
      if (action === 'cancel') throw new AppError('cannotCancel');
      throw new AppError('updateParametersInvalid', { reason: `only a finished message can be redacted; this one is ${result.status}` });
    }
    return presentMessage(result.message);
  });

  api.delete(`${base}/:Sid.json`, {
    schema: {
      operationId: 'DeleteMessage', tags, summary: 'Delete a finished message',
      params: MessageParams, response: { 204: Type.Null({ description: 'Deleted' }), ...errorResponses(401, 404, 409, 429) },
    },
  }, async (request, reply) => {
    const result = await deleteMessage(db, { accountSid: pathAccount(request).sid, sid: request.params.Sid });
    if (result.outcome === 'not_found') throw new AppError('notFound', { path: pathOf(request) });
    if (result.outcome === 'refused') throw new AppError('deleteInProgress');
    return reply.status(204).send(null);
  });

  api.get(`${base}/:Sid/Media.json`, {
    schema: {
      operationId: 'ListMedia', tags, summary: 'Media of a message: always empty, this gateway carries SMS only',
      params: MessageParams, querystring: Type.Object(PagingQuery), response: { 200: MediaPage, ...errorResponses(400, 401, 404, 429) },
    },
  }, async (request) => {
    const account = pathAccount(request);
    const message = await findMessage(db, { accountSid: account.sid, sid: request.params.Sid });
    if (!message) throw new AppError('notFound', { path: pathOf(request) });
    const plan = planPage(request.query, 'SM');
    const page = buildPage({ path: `${messagesPath(account.sid)}/${message.sid}/Media.json`, filters: [], plan, rows: [] });
    return { media_list: [], ...page.meta };
  });

  api.get(`${base}/:Sid/Events.json`, {
    schema: {
      operationId: 'ListMessageEvent', tags,
      summary: 'Extension: what happened to a message (status changes, SIP/SMPP responses, receipts, webhooks), oldest first',
      params: MessageParams, response: { 200: MessageEventList, ...errorResponses(401, 404, 429) },
    },
  }, async (request) => {
    const account = pathAccount(request);
    const events = await listMessageEvents(db, { accountSid: account.sid, sid: request.params.Sid });
    if (!events) throw new AppError('notFound', { path: pathOf(request) });
    return { events: events.map(presentMessageEvent), uri: `${messagesPath(account.sid)}/${request.params.Sid}/Events.json` };
  });
}

function updateAction(body: { Body?: string | undefined; Status?: string | undefined }): 'redact' | 'cancel' {
  const hasBody = body.Body !== undefined;
  const hasStatus = body.Status !== undefined;
  if (!hasBody && !hasStatus) throw new AppError('updateParametersInvalid', { reason: 'give Body="" to redact or Status=canceled to cancel' });
  if (hasBody && hasStatus) throw new AppError('updateParametersInvalid', { reason: 'redaction and cancellation cannot be combined' });
  if (hasStatus && body.Status !== 'canceled') throw new AppError('updateParametersInvalid', { reason: `Status may only be canceled, not ${body.Status}` });
  if (hasBody && body.Body !== '') throw new AppError('updateParametersInvalid', { reason: 'Body may only be "" (redaction)' });
  return hasBody ? 'redact' : 'cancel';
}

function parseFilter(name: string, text: string): DateInterval {
  const interval = parseDateFilter(text);
  if (!interval) throw new AppError('invalidParameter', { name, reason: `'${text}' is not a date (use YYYY-MM-DD, ISO 8601 or RFC 2822)` });
  return interval;
}

/**
 * The [sentFrom, sentBefore) window of the three filters. DateSent always means the whole GMT day of the value
 * (twilio-node sends a Date as a full timestamp at midnight); DateSent< and DateSent> are inclusive.
 */
function dateWindow(on: string | undefined, onOrAfter: string | undefined, onOrBefore: string | undefined): { sentFrom?: Date; sentBefore?: Date } {
  const lower: number[] = [];
  const upper: number[] = [];
  if (on !== undefined) {
    const dayStart = Math.floor(parseFilter('DateSent', on).start.getTime() / DAY_MS) * DAY_MS;
    lower.push(dayStart);
    upper.push(dayStart + DAY_MS);
  }
  if (onOrAfter !== undefined) lower.push(parseFilter('DateSent>', onOrAfter).start.getTime());
  if (onOrBefore !== undefined) upper.push(parseFilter('DateSent<', onOrBefore).end.getTime());
  return {
    ...(lower.length > 0 ? { sentFrom: new Date(Math.max(...lower)) } : {}),
    ...(upper.length > 0 ? { sentBefore: new Date(Math.min(...upper)) } : {}),
  };
}
