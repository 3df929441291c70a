// Extension: the account's opt-outs (recipients who sent STOP), listed and managed in the 2010 style. Twilio
// keeps them internally with no REST resource; here they are rows of `opt_outs` (store/opt-out-store.ts).
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { AppError } from '../../errors/app-error.js';
import { isE164 } from '../../messaging/address.js';
import { addOptOut, deleteOptOutBySid, findOptOut, listOptOuts, type OptOut } from '../../store/opt-out-store.js';
import { findService } from '../../store/service-store.js';
import { pathAccount, type ApiDeps } from '../api-deps.js';
import { accountPath } from '../api-paths.js';
import { pathOf } from '../error-handler.js';
import { toTwilioDate } from '../twilio-date.js';
import { AccountParams, AccountSid, errorResponses, PageEnvelope, PagingQuery } from '../schemas/common.js';

const tags = ['OptOuts'];
const consumes = ['application/x-www-form-urlencoded', 'application/json'];
const base = '/2010-04-01/Accounts/:AccountSid/OptOuts';
const OptOutSid = Type.String({ pattern: '^OO[0-9a-fA-F]{32}$', description: 'Opt-out SID (extension)' });

const OptOutJson = Type.Object({
  account_sid: Type.String(),
  date_created: Type.String(),
  keyword: Type.Union([Type.String(), Type.Null()], { description: 'The keyword received (STOP, UNSUBSCRIBE, …); null when created through the API' }),
  scope: Type.Union([Type.Literal('number'), Type.Literal('service')]),
  sender: Type.String({ description: 'The phone number (number scope) or Messaging Service SID (service scope) the recipient opted out of' }),
  sid: Type.String(),
  to: Type.String({ description: 'The recipient who opted out' }),
  uri: Type.String(),
});
const OptOutPage = PageEnvelope('opt_outs', OptOutJson);

function present(o: OptOut) {
  return {
    account_sid: o.accountSid, date_created: toTwilioDate(o.dateCreated), keyword: o.keyword,
    scope: o.scope === 'service' ? 'service' as const : 'number' as const,
    sender: o.sender, sid: o.sid, to: o.recipient, uri: `${accountPath(o.accountSid)}/OptOuts/${o.sid}.json`,
  };
}

export function registerOptOutRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const { db } = deps;
  const Params = Type.Object({ AccountSid, Sid: OptOutSid });

  api.get(`${base}.json`, {
    schema: {
      operationId: 'ListOptOut', tags, summary: 'Extension: recipients who opted out (STOP), newest first',
      params: AccountParams,
      querystring: Type.Object({ To: Type.Optional(Type.String()), Sender: Type.Optional(Type.String()), ...PagingQuery }),
      response: { 200: OptOutPage, ...errorResponses(400, 401, 429) },
    },
  }, async (request) => {
    const account = pathAccount(request);
    const q = request.query;
    const pageSize = q.PageSize ?? 50;
    const page = q.Page ?? 0;
    const rows = await listOptOuts(db, { accountSid: account.sid, recipient: q.To, sender: q.Sender, offset: page * pageSize, limit: pageSize + 1 });
    const records = rows.slice(0, pageSize);
    const filters = [['To', q.To], ['Sender', q.Sender]].filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${encodeURIComponent(v as string)}&`).join('');
    const link = (n: number) => `${accountPath(account.sid)}/OptOuts.json?${filters}PageSize=${pageSize}&Page=${n}`;
    return {
      opt_outs: records.map(present),
      end: records.length === 0 ? 0 : page * pageSize + records.length - 1,
      first_page_uri: link(0),
      next_page_uri: rows.length > pageSize ? link(page + 1) : null,
      page,
      page_size: pageSize,
      previous_page_uri: page > 0 ? link(page - 1) : null,
      start: page * pageSize,
      uri: link(page),
    };
  });

  api.post(`${base}.json`, {
    schema: {
      operationId: 'CreateOptOut', tags, summary: 'Extension: opt a recipient out of a number or a Messaging Service', consumes,
      params: AccountParams,
      body: Type.Object({
        To: Type.String({ description: 'The recipient (E.164)' }),
        Sender: Type.String({ description: 'One of the account\'s numbers, or one of its Messaging Service SIDs (MG…)' }),
      }),
      response: { 201: OptOutJson, ...errorResponses(400, 401, 404, 429) },
    },
  }, async (request, reply) => {
    const account = pathAccount(request);
    const { To: to, Sender: sender } = request.body;
    if (!isE164(to)) throw new AppError('invalidTo', { to });
    let scope: 'number' | 'service';
    if (sender.startsWith('MG')) {
      if (!(await findService(db, { accountSid: account.sid, sid: sender }))) throw new AppError('serviceNotFound', { sid: sender });
      scope = 'service';
    } else {
      if (!(await deps.senders.isIncomingNumberOf({ accountSid: account.sid, phoneNumber: sender }))) throw new AppError('fromNotOwned', { from: sender });
      scope = 'number';
    }
    const created = await addOptOut(db.query, { accountSid: account.sid, scope, sender, recipient: to, keyword: null });
    return reply.status(201).send(present(created));
  });

  api.get(`${base}/:Sid.json`, {
    schema: { operationId: 'FetchOptOut', tags, summary: 'Extension: fetch an opt-out', params: Params, response: { 200: OptOutJson, ...errorResponses(401, 404, 429) } },
  }, async (request) => {
    const found = await findOptOut(db, { accountSid: pathAccount(request).sid, sid: request.params.Sid });
    if (!found) throw new AppError('notFound', { path: pathOf(request) });
    return present(found);
  });

  api.delete(`${base}/:Sid.json`, {
    schema: {
      operationId: 'DeleteOptOut', tags, summary: 'Extension: lift an opt-out (as if the recipient had sent START, without the reply)',
      params: Params, response: { 204: Type.Null({ description: 'Deleted' }), ...errorResponses(401, 404, 429) },
    },
  }, async (request, reply) => {
    if (!(await deleteOptOutBySid(db, { accountSid: pathAccount(request).sid, sid: request.params.Sid }))) throw new AppError('notFound', { path: pathOf(request) });
    return reply.status(204).send(null);
  });
}
