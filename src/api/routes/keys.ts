// API keys (SK…): create (the secret is shown once), list, fetch, rename, delete. Managing keys needs the
// account's Auth Token, as Twilio's Standard keys cannot manage keys.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { AppError } from '../../errors/app-error.js';
import { createApiKey, deleteApiKey, findApiKey, listApiKeys, updateApiKey } from '../../store/api-key-store.js';
import { pathAccount, requirePrincipal, type ApiDeps } from '../api-deps.js';
import { keysPath } from '../api-paths.js';
import { pathOf } from '../error-handler.js';
import { buildPage, planPage } from '../paging.js';
import { presentApiKey, presentNewApiKey } from '../presenters.js';
import { AccountParams, AccountSid, errorResponses, KeySid } from '../schemas/common.js';
import { Key, KeyBody, KeyPage, ListQuery, NewKey } from '../schemas/account-schemas.js';
import { requireAuthToken } from './accounts.js';

const KeyParams = Type.Object({ AccountSid, Sid: KeySid });
const tags = ['Keys'];
const consumes = ['application/x-www-form-urlencoded', 'application/json'];
const base = '/2010-04-01/Accounts/:AccountSid/Keys';

export function registerKeyRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const { db } = deps;
  /** The path account, once the credentials are known to be an Auth Token (keys cannot manage keys). */
  const keyAccount = (request: FastifyRequest) => {
    requireAuthToken(requirePrincipal(request), 'Keys');
    return pathAccount(request);
  };

  api.post(`${base}.json`, {
    schema: {
      operationId: 'CreateNewKey', tags, summary: 'Create an API key; the secret is returned only here', consumes,
      params: AccountParams, body: KeyBody, response: { 201: NewKey, ...errorResponses(400, 401, 429) },
    },
  }, async (request, reply) => {
    const { key, secret } = await createApiKey(db, { accountSid: keyAccount(request).sid, friendlyName: request.body?.FriendlyName ?? '' });
    return reply.status(201).send(presentNewApiKey(key, secret));
  });

  api.get(`${base}.json`, {
    schema: {
      operationId: 'ListKey', tags, summary: 'List API keys',
      params: AccountParams, querystring: ListQuery, response: { 200: KeyPage, ...errorResponses(400, 401, 429) },
    },
  }, async (request) => {
    const account = keyAccount(request);
    const plan = planPage(request.query, 'SK');
    const rows = await listApiKeys(db, { accountSid: account.sid, position: plan.position, offset: plan.offset, limit: plan.limit });
    const page = buildPage({ path: `${keysPath(account.sid)}.json`, filters: [], plan, rows });
    return { keys: page.records.map(presentApiKey), ...page.meta };
  });

  api.get(`${base}/:Sid.json`, {
    schema: {
      operationId: 'FetchKey', tags, summary: 'Fetch an API key (without its secret)',
      params: KeyParams, response: { 200: Key, ...errorResponses(401, 404, 429) },
    },
  }, async (request) => {
    const key = await findApiKey(db, { accountSid: keyAccount(request).sid, sid: request.params.Sid });
    if (!key) throw new AppError('notFound', { path: pathOf(request) });
    return presentApiKey(key);
  });

  api.post(`${base}/:Sid.json`, {
    schema: {
      operationId: 'UpdateKey', tags, summary: 'Rename an API key', consumes,
      params: KeyParams, body: KeyBody, response: { 200: Key, ...errorResponses(400, 401, 404, 429) },
    },
  }, async (request) => {
    const key = await updateApiKey(db, {
      accountSid: keyAccount(request).sid, sid: request.params.Sid, friendlyName: request.body?.FriendlyName ?? '',
    });
    if (!key) throw new AppError('notFound', { path: pathOf(request) });
    return presentApiKey(key);
  });

  api.delete(`${base}/:Sid.json`, {
    schema: {
      operationId: 'DeleteKey', tags, summary: 'Delete an API key; it stops working at once',
      params: KeyParams, response: { 204: Type.Null({ description: 'Deleted' }), ...errorResponses(401, 404, 429) },
    },
  }, async (request, reply) => {
    const deleted = await deleteApiKey(db, { accountSid: keyAccount(request).sid, sid: request.params.Sid });
    if (!deleted) throw new AppError('notFound', { path: pathOf(request) });
    return reply.status(204).send(null);
  });
}
