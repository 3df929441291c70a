// RestComm-Connect's SMS resource (spec restcomm-connect-sms.md §1-2) as one encapsulated plugin, served under
// /restcomm/2012-04-24/… and the bare /2012-04-24/… on the same accounts, keys and messages as the Twilio API:
// a message sent through either is visible through both. Its own auth hook (RestComm's 401/403 rules) and its
// own error handler (RestComm's plain-text errors) apply only to these routes.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { AppError } from '../../errors/app-error.js';
import { createOutboundMessage } from '../../messaging/create-message.js';
import { findMessage } from '../../store/message-store.js';
import { createServiceMessagePort } from '../../store/service-message-store.js';
import { countRestcommMessages, listRestcommMessages } from '../../store/restcomm-message-list.js';
import type { ApiDeps } from '../api-deps.js';
import { createRateLimiter, type RateLimiter } from '../rate-limiter.js';
import { authenticateRestcomm, authorizeRestcommAccount } from './restcomm-auth.js';
import { restcommCreateParams, type RestcommForm } from './restcomm-create.js';
import { checkPageInRange, planRestcommList, restcommListEnvelope, type RestcommListQuery as ListQuery } from './restcomm-list.js';
import { restcommMessageJson, restcommMessageView, restcommMessageXml } from './restcomm-representation.js';
import {
  negotiateFormat, requestPath, RestcommError, sendRestcomm, sendRestcommError, stripJsonSuffix,
} from './restcomm-response.js';
import {
  RestcommAccountParams, RestcommCreateForm, restcommErrors, RestcommListQuery, RestcommListResponse,
  RestcommMessageParams, RestcommMessageResponse,
} from './restcomm-schemas.js';

const tags = ['RestComm SMS'];
const collection = '/2012-04-24/Accounts/:AccountSid/SMS/Messages';

declare module 'fastify' {
  interface FastifyRequest {
    restcommAccountSid: string | null;
  }
}

export interface RestcommApiOptions {
  /** X- header names a send may not set (RESTCOMM_X_HEADER_DENY), any case. */
  xHeaderDeny?: readonly string[] | undefined;
  /** API_RATE_LIMIT: requests per second per account (its own budget beside the Twilio API's); 0 = off. */
  apiRateLimit?: number | undefined;
}

export async function registerRestcommApi(app: FastifyInstance, deps: ApiDeps, options: RestcommApiOptions = {}): Promise<void> {
  // Clients call /restcomm/2012-04-24/… (RestComm's webapp context); the bare form is what its `Uri` fields show.
  // One limiter for both path forms, so that the bare paths are no way around it.
  const limiter = options.apiRateLimit ? createRateLimiter({ perSecond: options.apiRateLimit }) : null;
  for (const prefix of ['/restcomm', '']) {
    await app.register(async (api) => restcommRoutes(api, deps, { hidden: prefix === '', xHeaderDeny: options.xHeaderDeny ?? [], limiter }), { prefix });
  }
}

function restcommRoutes(app: FastifyInstance, deps: ApiDeps, options: { hidden: boolean; xHeaderDeny: readonly string[]; limiter: RateLimiter | null }): void {
  const { hidden, xHeaderDeny } = options;
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const { db } = deps;
  // Opt-outs (21610) hold for RestComm sends too.
  const services = createServiceMessagePort(db);
  api.decorateRequest('restcommAccountSid', null);
  api.setErrorHandler((error: FastifyError, request, reply) => sendRestcommError(reply, toRestcommError(error, request)));
  api.addHook('onRequest', async (request) => {
    const principal = await authenticateRestcomm(db, request.headers.authorization);
    if (options.limiter && !options.limiter.admit(principal.accountSid)) throw new RestcommError(429, 'Too Many Requests');
    const accountSid = (request.params as { AccountSid?: string }).AccountSid ?? '';
    request.restcommAccountSid = (await authorizeRestcommAccount(db, principal, accountSid)).sid;
  });
  const accountOf = (request: FastifyRequest): string => {
    if (request.restcommAccountSid === null) throw new Error('RestComm route ran without its auth hook');
    return request.restcommAccountSid;
  };

  for (const suffix of ['', '.json']) {
    const jsonSuffix = suffix === '.json';
    api.post(`${collection}${suffix}`, {
      schema: {
        hide: hidden, operationId: `RestcommCreateSms${jsonSuffix ? 'Json' : ''}`, tags,
        summary: 'Send an SMS (RestComm-Connect): answers 200 with the message, status sending',
        consumes: ['application/x-www-form-urlencoded'],
        params: RestcommAccountParams, body: RestcommCreateForm,
        response: { 200: RestcommMessageResponse, ...restcommErrors },
      },
    }, async (request, reply) => {
      const send = restcommCreateParams((request.body ?? {}) as RestcommForm, { xHeaderDeny, now: new Date() });
      const message = await createOutboundMessage({
        accountSid: accountOf(request), params: send.params, writer: deps.writer, senders: deps.senders, services,
        allowPrivateUrls: deps.allowPrivateWebhookUrls, apiDialect: 'restcomm',
        ...(Object.keys(send.sipHeaders).length > 0 ? { sipHeaders: send.sipHeaders } : {}),
        ...(send.receiptDemand === undefined ? {} : { receiptDemand: send.receiptDemand }),
      });
      return sendMessage(reply, negotiateFormat({ jsonSuffix, accept: request.headers.accept }), message);
    });

    api.get(`${collection}${suffix}`, {
      schema: {
        hide: hidden, operationId: `RestcommListSms${jsonSuffix ? 'Json' : ''}`, tags,
        summary: 'List SMS (RestComm-Connect): filters, SortBy, Page/PageSize; newest first by default',
        params: RestcommAccountParams, querystring: RestcommListQuery,
        response: { 200: RestcommListResponse, ...restcommErrors },
      },
    }, async (request, reply) => {
      const accountSid = accountOf(request);
      const plan = planRestcommList(request.query as ListQuery);
      const filter = { accountSid, ...plan.filter };
      const total = await countRestcommMessages(db, filter);
      checkPageInRange(plan, total);
      const rows = await listRestcommMessages(db, { ...filter, sort: plan.sort, offset: plan.page * plan.pageSize, limit: plan.pageSize });
      const views = rows.map(restcommMessageView);
      return sendRestcomm(reply, negotiateFormat({ jsonSuffix, accept: request.headers.accept }), {
        json: restcommListEnvelope({ uri: requestPath(request), plan, total, items: views.map(restcommMessageJson), lastSid: rows.at(-1)?.sid }),
        xml: { SMSMessages: { SMSMessage: views.map(restcommMessageXml) } },
      });
    });
  }

  api.get(`${collection}/:SmsSid`, {
    schema: {
      hide: hidden, operationId: 'RestcommFetchSms', tags, summary: 'Fetch an SMS (RestComm-Connect); .json after the SID for JSON',
      params: RestcommMessageParams, response: { 200: RestcommMessageResponse, ...restcommErrors },
    },
  }, async (request, reply) => {
    const { value: sid, jsonSuffix } = stripJsonSuffix(request.params.SmsSid);
    const accountSid = accountOf(request);
    const message = await findMessage(db, { accountSid, sid });
    if (!message) {
      // RestComm: another account's message is 403 (PermissionEvaluator), an unknown one 404.
      throw new RestcommError(await existsElsewhere(deps, sid) ? 403 : 404, '');
    }
    return sendMessage(reply, negotiateFormat({ jsonSuffix, accept: request.headers.accept }), message);
  });
}

async function existsElsewhere(deps: ApiDeps, sid: string): Promise<boolean> {
  const rows = await deps.db.query<{ found: number }>('SELECT 1 AS found FROM messages WHERE sid = $1', [sid]);
  return rows.length > 0;
}

function sendMessage(reply: FastifyReply, format: 'json' | 'xml', message: Parameters<typeof restcommMessageView>[0]): FastifyReply {
  const view = restcommMessageView(message);
  return sendRestcomm(reply, format, { json: restcommMessageJson(view), xml: { SMSMessage: restcommMessageXml(view) } });
}

/** Our errors as RestComm answers them: the status class kept, the message as plain text. */
function toRestcommError(error: FastifyError, request: FastifyRequest): RestcommError {
  if (error instanceof RestcommError) return error;
  if (error instanceof AppError) {
    if (error.status >= 500) request.log.error({ err: error }, 'RestComm request failed');
    if (error.status === 404) return new RestcommError(404, '');
    return new RestcommError(error.status >= 500 ? 500 : error.status === 401 ? 401 : error.status === 429 ? 429 : 400, error.message);
  }
  if (error.validation) return new RestcommError(400, error.message);
  if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) return new RestcommError(error.statusCode, error.message);
  request.log.error({ err: error }, 'RestComm request failed');
  return new RestcommError(500, '');
}
